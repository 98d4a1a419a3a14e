"""Weight profiles: create, immutable versions, use in recommendations, tenancy and validation."""

import threading

import pytest

from tests.api.conftest import VALID, problem

SECURITY_FIRST = {"name": "Security-first", "weights": {"priorities": 1.2},
                  "leans": {"priorities": {"security": -1.0}}, "thresholds": {"lower": 0.35}}
BALANCED = {"stage": "growth", "team_size": 300, "product_complexity": "medium",
            "business_model": "consumer_subscription", "priorities": ["ship_fast", "innovation"]}


@pytest.fixture
def profile(client):
    response = client.post("/v1/weight-profiles", json=SECURITY_FIRST)
    assert response.status_code == 201
    return response.get_json()


def test_create_answers_the_complete_profile_as_version_1(client, profile):
    assert profile["id"].startswith("wp_") and profile["version"] == 1
    assert profile["weights"]["priorities"] == 1.2 and profile["weights"]["stage"] == 0.9
    assert profile["leans"]["priorities"]["security"] == -1.0 and profile["leans"]["priorities"]["scale"] == -1.0
    assert profile["thresholds"] == {"lower": 0.35, "upper": 0.6}
    assert "team_size" not in profile["leans"]  # model 2: a curve, not bands
    assert profile["team_size_curve"] == {"midpoint": 40.0, "steepness": 0.7}
    assert profile["interactions"] == {"large_team_wants_speed": 0.7, "late_stage_innovation": 0.3}
    assert profile["hash"].startswith("sha256:") and profile["combination"] == "logistic-additive-v2"
    assert profile["model_version"] == 2


def test_only_the_name_is_required(client):
    copy = client.post("/v1/weight-profiles", json={"name": "Baseline"}).get_json()
    assert copy["hash"] == client.get("/v1/weight-profiles/wp_default").get_json()["hash"]


def test_a_new_version_builds_on_the_latest_and_leaves_earlier_ones_unchanged(client, profile):
    first = client.get(f"/v1/weight-profiles/{profile['id']}/versions/1").get_data()
    response = client.post(f"/v1/weight-profiles/{profile['id']}/versions", json={"thresholds": {"upper": 0.7}})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/v1/weight-profiles/{profile['id']}/versions/2"
    second = response.get_json()
    assert (second["version"], second["name"], second["thresholds"]) == (2, "Security-first",
                                                                          {"lower": 0.35, "upper": 0.7})
    assert second["weights"]["priorities"] == 1.2  # kept from version 1
    assert client.get(f"/v1/weight-profiles/{profile['id']}/versions/1").get_data() == first
    assert client.get(f"/v1/weight-profiles/{profile['id']}").get_json()["version"] == 2
    listed = client.get(f"/v1/weight-profiles/{profile['id']}/versions").get_json()["data"]
    assert [v["version"] for v in listed] == [2, 1]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_versions_cannot_be_edited_or_erased(client, profile, method):
    for path in (f"/v1/weight-profiles/{profile['id']}", f"/v1/weight-profiles/{profile['id']}/versions/1"):
        problem(client.open(path, method=method, json={"name": "x"}), 405, "method_not_allowed")


def test_a_recommendation_records_the_version_and_keeps_its_answer_after_newer_versions(client, profile):
    made = client.post("/v1/recommendations", json={**BALANCED, "weight_profile_id": profile["id"]})
    body = made.get_json()
    assert body["model"] == {"weight_profile_id": profile["id"], "version": 1, "hash": profile["hash"]}
    assert body["profile"]["weight_profile_version"] == 1
    newer = client.post(f"/v1/weight-profiles/{profile['id']}/versions",
                        json={"weights": {"priorities": 0.0}}).get_json()
    assert client.get(made.headers["Location"]).get_data() == made.get_data()
    again = client.post("/v1/recommendations", json={**BALANCED, "weight_profile_id": profile["id"]}).get_json()
    assert again["model"] == {"weight_profile_id": profile["id"], "version": 2, "hash": newer["hash"]}
    pinned = client.post("/v1/recommendations", json={**BALANCED, "weight_profile_id": profile["id"],
                                                      "weight_profile_version": 1}).get_json()
    assert pinned["model"] == body["model"] and pinned["scores"] == body["scores"]


def test_the_weights_change_the_answer_as_tuned(client, profile):
    profile_ = {**VALID, "priorities": ["security"], "team_size": 60, "stage": "series_b"}
    default = client.post("/v1/recommendations/preview", json=profile_).get_json()
    tuned = client.post("/v1/recommendations/preview",
                        json={**profile_, "weight_profile_id": profile["id"]}).get_json()
    assert tuned["scores"]["product_engineers"] < default["scores"]["product_engineers"]
    security = next(f for f in tuned["factors"] if f["factor"] == "priorities")
    assert (security["weight"], security["lean"]) == (1.2, -1.0)


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"weights": {"stage": -1}}, "/weights/stage", "out_of_range"),
        ({"weights": {"stage": "heavy"}}, "/weights/stage", "invalid_type"),
        ({"weights": {"stage": True}}, "/weights/stage", "invalid_type"),
        ({"weights": {"colour": 1}}, "/weights/colour", "unknown_field"),
        ({"weights": [1, 2]}, "/weights", "invalid_type"),
        ({"leans": {"stage": {"series_z": 0.5}}}, "/leans/stage/series_z", "invalid_choice"),
        ({"leans": {"stage": {"seed": 1.5}}}, "/leans/stage/seed", "out_of_range"),
        ({"leans": {"team_size": {"small": -2}}}, "/leans/team_size/small", "out_of_range"),
        ({"leans": {"mood": {"x": 1}}}, "/leans/mood", "unknown_field"),
        ({"leans": {"stage": 1}}, "/leans/stage", "invalid_type"),
        ({"thresholds": {"lower": 0}}, "/thresholds/lower", "out_of_range"),
        ({"thresholds": {"upper": 1}}, "/thresholds/upper", "out_of_range"),
        ({"thresholds": {"lower": 0.7}}, "/thresholds/lower", "out_of_range"),
        ({"thresholds": {"lower": 0.7, "upper": 0.6}}, "/thresholds/lower", "out_of_range"),
        ({"thresholds": {"upper": 0.3}}, "/thresholds/upper", "out_of_range"),
        ({"weights": {"stage": 1_000_001}}, "/weights/stage", "out_of_range"),
        ({"thresholds": {"middle": 0.5}}, "/thresholds/middle", "unknown_field"),
        ({"colour": "red"}, "/colour", "unknown_field"),
    ],
)
def test_a_bad_profile_is_422_naming_the_field_and_stores_nothing(client, body, pointer, code):
    body = problem(client.post("/v1/weight-profiles", json={"name": "Bad", **body}), 422, "validation_failed")
    assert (pointer, code) in [(e["pointer"], e["code"]) for e in body["errors"]]
    assert client.get("/v1/weight-profiles").get_json()["data"] == []


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        ('{"weights": {"stage": 1e400}}', "/weights/stage"),
        ('{"weights": {"stage": 1' + "0" * 400 + '}}', "/weights/stage"),
        ('{"leans": {"stage": {"seed": -1' + "0" * 400 + '}}}', "/leans/stage/seed"),
        ('{"thresholds": {"lower": 1' + "0" * 400 + '}}', "/thresholds/lower"),
    ],
)
def test_non_finite_and_huge_numbers_are_refused(client, raw, pointer):
    response = client.post("/v1/weight-profiles", data='{"name": "x", ' + raw[1:], content_type="application/json")
    assert problem(response, 422, "validation_failed")["errors"][0]["pointer"] == pointer


def test_a_name_is_required_on_creation_only(client, profile):
    problem(client.post("/v1/weight-profiles", json={}), 422, "validation_failed")
    renamed = client.post(f"/v1/weight-profiles/{profile['id']}/versions", json={"name": "Renamed"}).get_json()
    assert renamed["name"] == "Renamed" and renamed["hash"] == profile["hash"]


def test_unknown_profiles_and_versions(client, profile):
    for body, pointer in (({"weight_profile_id": "wp_nope"}, "/weight_profile_id"),
                          ({"weight_profile_id": profile["id"], "weight_profile_version": 9}, "/weight_profile_version"),
                          ({"weight_profile_version": 3}, "/weight_profile_version")):
        for path in ("/v1/recommendations", "/v1/recommendations/preview"):
            errors = problem(client.post(path, json={**VALID, **body}), 422, "validation_failed")["errors"]
            assert (errors[0]["pointer"], errors[0]["code"]) == (pointer, "unknown_weight_profile")
    assert client.get("/v1/recommendations").get_json()["data"] == []
    for version in ("9", "0", "2147483648", "99999999999999999999", "-1", "x"):
        problem(client.get(f"/v1/weight-profiles/{profile['id']}/versions/{version}"), 404, "not_found")
    for cursor in ("v2147483648", "v9999999999", "v%C2%B2", "v", "2"):
        problem(client.get(f"/v1/weight-profiles/{profile['id']}/versions?cursor={cursor}"), 422,
                "validation_failed")
    problem(client.get("/v1/weight-profiles/wp_0000000000000000000000000a"), 404, "not_found")
    problem(client.post("/v1/weight-profiles/wp_default/versions", json={}), 422, "validation_failed")


def test_the_built_in_profile_is_readable_by_id(client):
    built_in = client.get("/v1/weight-profiles/wp_default").get_json()
    assert (built_in["id"], built_in["version"], built_in["created_at"]) == ("wp_default", 2, None)
    assert built_in["hash"] == client.get("/v1/model").get_json()["hash"]
    first = client.get("/v1/weight-profiles/wp_default/versions/1").get_json()
    assert (first["version"], first["combination"], first["hash"]) == (
        1, "logistic-additive-v1", "sha256:e7eeeb22f5abb8733270ba6a71fdaccbefbe59ad58c8fbb11d805e599134793d")
    listed = client.get("/v1/weight-profiles/wp_default/versions").get_json()["data"]
    assert [v["version"] for v in listed] == [2, 1]


def test_another_tenants_profile_does_not_exist_for_you(anonymous, new_key, profile):
    other = {"Authorization": f"Bearer {new_key('tenant b')}"}
    problem(anonymous.get(f"/v1/weight-profiles/{profile['id']}", headers=other), 404, "not_found")
    problem(anonymous.get(f"/v1/weight-profiles/{profile['id']}/versions", headers=other), 404, "not_found")
    problem(anonymous.post(f"/v1/weight-profiles/{profile['id']}/versions", json={}, headers=other), 404, "not_found")
    assert anonymous.get("/v1/weight-profiles", headers=other).get_json()["data"] == []
    used = anonymous.post("/v1/recommendations", json={**VALID, "weight_profile_id": profile["id"]}, headers=other)
    errors = problem(used, 422, "validation_failed")["errors"]  # exactly as for an id that never existed
    assert (errors[0]["pointer"], errors[0]["code"]) == ("/weight_profile_id", "unknown_weight_profile")


def test_the_list_is_newest_first_and_paginated(client):
    made = [client.post("/v1/weight-profiles", json={"name": f"P{n}"}).get_json()["id"] for n in range(3)]
    first = client.get("/v1/weight-profiles?limit=2").get_json()
    second = client.get(f"/v1/weight-profiles?limit=2&cursor={first['next_cursor']}").get_json()
    assert [p["id"] for p in first["data"] + second["data"]] == made[::-1]
    assert first["has_more"] and not second["has_more"]
    problem(client.get("/v1/weight-profiles?cursor=nonsense"), 422, "validation_failed")


def test_keys_need_the_weight_profile_scopes(anonymous, new_key, profile):
    reader = {"Authorization": f"Bearer {new_key('r', scopes=('weight_profiles:read',))}"}
    problem(anonymous.post("/v1/weight-profiles", json={"name": "x"}, headers=reader), 403, "insufficient_scope")
    recommender = {"Authorization": f"Bearer {new_key('w', scopes=('recommendations:write',))}"}
    problem(anonymous.get("/v1/weight-profiles", headers=recommender), 403, "insufficient_scope")


def test_versions_added_at_once_each_build_on_the_one_before(app, api_key, profile):
    factors = ["stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access"] * 2
    barrier = threading.Barrier(len(factors))
    answers = []

    def add(n, factor):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/v1/weight-profiles/{profile['id']}/versions",
                               json={"weights": {factor: 10.0 + n}}, headers={"Authorization": f"Bearer {api_key}"})
        answers.append((response.status_code, response.get_json().get("version")))

    threads = [threading.Thread(target=add, args=(n, factor)) for n, factor in enumerate(factors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [(201, v) for v in range(2, 2 + len(factors))]
    client = app.test_client()
    latest = client.get(f"/v1/weight-profiles/{profile['id']}", headers={"Authorization": f"Bearer {api_key}"})
    # Had any version been built on a stale one, some factor would still have its old weight.
    assert all(weight >= 10.0 for weight in latest.get_json()["weights"].values())


def test_stored_versions_survive_new_values_in_the_model(client, profile, monkeypatch):
    """A value added to the catalogue later takes its built-in lean; old versions still load and decide."""
    from service import weight_profiles
    from service.engine import DEFAULT_WEIGHT_PROFILE, WeightProfile

    grown = {name: dict(values) for name, values in DEFAULT_WEIGHT_PROFILE.leans.items()}
    grown["business_model"]["edtech"] = 0.3
    monkeypatch.setattr(weight_profiles, "DEFAULT_WEIGHT_PROFILE", WeightProfile(
        id="wp_default", version=2, weights=DEFAULT_WEIGHT_PROFILE.weights, leans=grown))
    fetched = client.get(f"/v1/weight-profiles/{profile['id']}/versions/1")
    assert fetched.status_code == 200 and fetched.get_json() == profile  # shown exactly as made
    used = client.post("/v1/recommendations/preview", json={**VALID, "business_model": "b2b_saas",
                                                             "weight_profile_id": profile["id"]})
    assert used.status_code == 200 and used.get_json()["model"]["version"] == 1


def test_a_model_1_profile_keeps_deciding_with_model_1_until_its_owner_moves_it(client):
    made = client.post("/v1/weight-profiles", json={"name": "Old ways", "model_version": 1,
                                                    "leans": {"priorities": {"security": -1.0},
                                                              "team_size": {"huge": -0.8}}}).get_json()
    assert (made["model_version"], made["combination"], made["interactions"]) == (1, "logistic-additive-v1", None)
    path = f"/v1/weight-profiles/{made['id']}/versions"
    profile = {**VALID, "team_size": 5000, "priorities": ["ship_fast", "innovation"], "weight_profile_id": made["id"]}
    before = client.post("/v1/recommendations/preview", json=profile).get_json()
    assert "interactions" not in before  # model 1 answers
    same_model = client.post(path, json={"thresholds": {"upper": 0.65}}).get_json()
    assert same_model["model_version"] == 1  # a new version keeps its profile's model unless asked
    moved = client.post(path, json={"model_version": 2}).get_json()
    assert (moved["version"], moved["model_version"], moved["combination"]) == (3, 2, "logistic-additive-v2")
    assert moved["leans"]["priorities"]["security"] == -1.0 and moved["leans"]["priorities"]["growth"] == 0.0
    assert moved["thresholds"]["upper"] == 0.65 and "team_size" not in moved["leans"]
    after = client.post("/v1/recommendations/preview", json=profile).get_json()
    assert after["model"]["version"] == 3 and "interactions" in after  # a model 2 answer
    pinned = client.post("/v1/recommendations/preview", json={**profile, "weight_profile_version": 1}).get_json()
    assert pinned["model"]["hash"] == made["hash"] and "interactions" not in pinned
    back = problem(client.post(path, json={"model_version": 1}), 422, "validation_failed")
    assert back["errors"][0]["pointer"] == "/model_version"


@pytest.mark.parametrize(("body", "pointer", "code"), [
    ({"name": "x", "model_version": 1, "interactions": {"large_team_wants_speed": 1}}, "/interactions",
     "not_applicable"),
    ({"name": "x", "model_version": 1, "team_size_curve": {"midpoint": 10}}, "/team_size_curve", "not_applicable"),
    ({"name": "x", "leans": {"team_size": {"small": 0.5}}}, "/leans/team_size", "not_applicable"),
    ({"name": "x", "interactions": {"nope": 1}}, "/interactions/nope", "unknown_field"),
    ({"name": "x", "interactions": {"large_team_wants_speed": -1}}, "/interactions/large_team_wants_speed",
     "out_of_range"),
    ({"name": "x", "team_size_curve": {"midpoint": 0}}, "/team_size_curve/midpoint", "out_of_range"),
    ({"name": "x", "team_size_curve": {"steepness": 9}}, "/team_size_curve/steepness", "out_of_range"),
    ({"name": "x", "model_version": 3}, "/model_version", "invalid_choice"),
])
def test_model_2_parts_are_validated_naming_the_field(client, body, pointer, code):
    errors = problem(client.post("/v1/weight-profiles", json=body), 422, "validation_failed")["errors"]
    assert (errors[0]["pointer"], errors[0]["code"]) == (pointer, code)


def test_tuning_model_2_interactions_and_curve_changes_the_answer(client):
    profile = {**VALID, "stage": "public", "team_size": 5000, "product_complexity": "high",
               "business_model": "consumer", "priorities": ["ship_fast", "innovation"]}
    built_in = client.post("/v1/recommendations/preview", json=profile).get_json()
    tuned = client.post("/v1/weight-profiles", json={"name": "No interactions", "interactions": {
        "large_team_wants_speed": 0, "late_stage_innovation": 0}, "team_size_curve": {"midpoint": 20}}).get_json()
    answer = client.post("/v1/recommendations/preview", json={**profile, "weight_profile_id": tuned["id"]}).get_json()
    assert built_in["recommendation"] == "both" and answer["recommendation"] == "software_engineers"
    assert tuned["team_size_curve"] == {"midpoint": 20.0, "steepness": 0.7}


def _stored(sessions, profile_id):
    from service.orm import WeightProfileRecord

    with sessions() as session:
        return session.get(WeightProfileRecord, profile_id).tenant_id


def test_a_named_profile_is_read_in_one_query_and_made_ready_once(app, sessions, client, profile):
    """The engine's tables for a stored version are built once per process, not once per request."""
    from sqlalchemy import event

    from service import weight_profiles

    tenant = _stored(sessions, profile["id"])
    statements = []
    engine = app.extensions["hiremix"].engine

    def count(_connection, _cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = weight_profiles.resolve(profile["id"], None, tenant, sessions)
        assert len(statements) == 1  # the profile, its tenant and its latest version together
        again = weight_profiles.resolve(profile["id"], 1, tenant, sessions)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert again is first and (first.id, first.version, first.hash) == (profile["id"], 1, profile["hash"])
    answers = [client.post("/v1/recommendations/preview", json={**BALANCED, "weight_profile_id": profile["id"]})
               for _ in range(2)]
    assert answers[0].get_json()["model"] == answers[1].get_json()["model"]
    assert answers[0].get_json()["model"] == {"weight_profile_id": profile["id"], "version": 1, "hash": profile["hash"]}
    newer = client.post(f"/v1/weight-profiles/{profile['id']}/versions", json={"weights": {"stage": 2.0}})
    latest = weight_profiles.resolve(profile["id"], None, tenant, sessions)
    assert (latest.version, latest.hash) == (2, newer.get_json()["hash"])  # the latest is read, not kept
    assert weight_profiles.resolve(profile["id"], 1, tenant, sessions) is first


def test_a_kept_profile_is_not_served_for_another_tenant_or_a_rewritten_row(sessions, new_key, profile):
    from sqlalchemy import update

    from service import weight_profiles
    from service.errors import InvalidInput
    from service.orm import WeightProfileVersionRecord

    tenant = _stored(sessions, profile["id"])
    weight_profiles.resolve(profile["id"], 1, tenant, sessions)
    with pytest.raises(InvalidInput):
        weight_profiles.resolve(profile["id"], 1, "some-other-tenant", sessions)
    with pytest.raises(InvalidInput):
        weight_profiles.resolve(profile["id"], 2, tenant, sessions)
    with sessions.begin() as session:  # numbers changed behind the service's back: the hash no longer matches
        session.execute(update(WeightProfileVersionRecord)
                        .where(WeightProfileVersionRecord.weight_profile_id == profile["id"])
                        .values(weights={**profile["weights"], "stage": 5.0}, hash="sha256:" + "0" * 64))
    with pytest.raises(RuntimeError, match="does not match its hash"):
        weight_profiles.resolve(profile["id"], 1, tenant, sessions)


def test_ready_profiles_keep_the_most_recently_used(sessions, client):
    from service import weight_profiles
    from service.orm import WeightProfileVersionRecord

    rows = []
    for n in range(3):
        made = client.post("/v1/weight-profiles", json={"name": f"p{n}", "weights": {"stage": 1.0 + n}}).get_json()
        with sessions() as session:
            rows.append(session.get(WeightProfileVersionRecord, (made["id"], 1)))
    ready = weight_profiles._ReadyProfiles(size=2)
    first, second = ready.get(rows[0]), ready.get(rows[1])
    assert ready.get(rows[0]) is first  # used again: now the most recent
    ready.get(rows[2])  # the least recently used (rows[1]) goes
    assert len(ready) == 2 and ready.get(rows[0]) is first and ready.get(rows[1]) is not second
