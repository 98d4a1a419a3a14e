"""POST /v1/simulations: replay under draft weights, report changes, store nothing."""

from sqlalchemy import func, select

from service.orm import RecommendationRecord, WeightProfileRecord
from tests.api.conftest import VALID, problem

# A large consumer company that wants speed: a 47% share under model 2, so both.
BALANCED = {"stage": "public", "team_size": 5000, "product_complexity": "high",
            "business_model": "consumer", "priorities": ["ship_fast", "innovation"]}
PUBLIC = {"stage": "public", "team_size": 800, "product_complexity": "very_high",
          "business_model": "enterprise_platform"}
LEAN_PRODUCT = {"thresholds": {"lower": 0.3, "upper": 0.45}}  # a 49% share now means product engineers


def counts(sessions):
    with sessions() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (RecommendationRecord, WeightProfileRecord))


def test_stored_recommendations_are_replayed_and_only_changes_listed(client, create, sessions):
    balanced = create(**BALANCED).get_json()
    create(**PUBLIC)
    create()
    before = counts(sessions)
    result = client.post("/v1/simulations", json={"weight_profile": LEAN_PRODUCT}).get_json()
    assert (result["evaluated"], result["changed"]) == (3, 1)
    [item] = result["items"]
    assert item["id"] == balanced["id"]
    assert item["before"] == {"recommendation": "both", "scores": balanced["scores"], "model": balanced["model"]}
    assert item["after"]["recommendation"] == "product_engineers"
    assert item["after"]["model"] == result["weight_profile"] and result["weight_profile"]["weight_profile_id"] is None
    assert counts(sessions) == before


def test_the_simulated_answer_is_what_the_profile_would_really_give(client, create):
    create(**BALANCED)
    stored = client.post("/v1/weight-profiles", json={"name": "Lean product", **LEAN_PRODUCT}).get_json()
    simulated = client.post("/v1/simulations", json={"weight_profile_id": stored["id"]}).get_json()["items"][0]
    real = client.post("/v1/recommendations/preview", json={**BALANCED, "weight_profile_id": stored["id"]}).get_json()
    assert simulated["after"] == {"recommendation": real["recommendation"], "scores": real["scores"],
                                  "model": real["model"]}


def test_supplied_profiles_are_compared_with_their_own_weights(client, sessions):
    before = counts(sessions)
    result = client.post("/v1/simulations", json={"weight_profile": LEAN_PRODUCT,
                                                  "profiles": [VALID, BALANCED, PUBLIC]}).get_json()
    assert (result["evaluated"], result["changed"]) == (3, 1)
    assert result["items"][0]["index"] == 1 and result["items"][0]["before"]["model"]["weight_profile_id"] == \
        "wp_default"
    assert counts(sessions) == before


def test_only_your_own_recommendations_are_replayed(client, create, anonymous, new_key):
    create(**BALANCED)
    other = {"Authorization": f"Bearer {new_key('tenant b')}"}
    result = anonymous.post("/v1/simulations", json={"weight_profile": LEAN_PRODUCT}, headers=other).get_json()
    assert (result["evaluated"], result["items"]) == (0, [])


def test_only_the_newest_1000_are_replayed(client, create):
    create(**BALANCED)  # the oldest: it would change, but it is the 1,001st
    for _ in range(10):
        assert client.post("/v1/recommendations/batch", json={"items": [VALID] * 100}).status_code == 200
    result = client.post("/v1/simulations", json={"weight_profile": LEAN_PRODUCT}).get_json()
    assert (result["evaluated"], result["changed"]) == (1000, 0)


def test_exactly_one_source_of_weights(client):
    neither = problem(client.post("/v1/simulations", json={}), 422, "validation_failed")
    assert neither["errors"][0]["pointer"] == "/weight_profile"
    both = problem(client.post("/v1/simulations", json={"weight_profile": {}, "weight_profile_id": "wp_default"}),
                   422, "validation_failed")
    assert (both["errors"][0]["pointer"], both["errors"][0]["code"]) == ("/weight_profile_id", "mutually_exclusive")


def test_bad_drafts_and_profiles_are_422_naming_the_field(client):
    cases = [
        ({"weight_profile": {"weights": {"stage": -1}}}, "/weight_profile/weights/stage"),
        ({"weight_profile": {"thresholds": {"lower": 0.9}}}, "/weight_profile/thresholds/lower"),
        ({"weight_profile": {}, "profiles": [VALID, {**VALID, "stage": "x"}]}, "/profiles/1/stage"),
        ({"weight_profile": {}, "profiles": []}, "/profiles"),
        ({"weight_profile": {}, "weight_profile_version": 2}, "/weight_profile_version"),
    ]
    for body, pointer in cases:
        errors = problem(client.post("/v1/simulations", json=body), 422, "validation_failed")["errors"]
        assert errors[0]["pointer"] == pointer, (body, errors)


def test_unknown_weight_profiles_are_422_naming_the_field(client):
    for body, pointer in (({"weight_profile_id": "wp_nope"}, "/weight_profile_id"),
                          ({"weight_profile_id": "wp_default", "weight_profile_version": 3}, "/weight_profile_version"),
                          ({"weight_profile": {}, "profiles": [{**VALID, "weight_profile_id": "wp_nope"}]},
                           "/profiles/0/weight_profile_id")):
        errors = problem(client.post("/v1/simulations", json=body), 422, "validation_failed")["errors"]
        assert (errors[0]["pointer"], errors[0]["code"]) == (pointer, "unknown_weight_profile"), body


def test_simulating_needs_the_read_scope(anonymous, new_key):
    writer = {"Authorization": f"Bearer {new_key('w', scopes=('recommendations:write',))}"}
    problem(anonymous.post("/v1/simulations", json={"weight_profile": {}}, headers=writer), 403, "insufficient_scope")


def test_stored_model_1_decisions_replayed_under_model_2_show_what_the_upgrade_changes(client, create):
    large = {"stage": "public", "team_size": 5000, "product_complexity": "high", "business_model": "b2b_saas",
             "priorities": ["ship_fast", "innovation"]}
    old = create(**large, weight_profile_version=1).get_json()
    create(weight_profile_version=1)  # seed SaaS: product engineers under either model
    result = client.post("/v1/simulations", json={"weight_profile_id": "wp_default"}).get_json()
    assert (result["evaluated"], result["changed"]) == (2, 1)
    [item] = result["items"]
    assert item["id"] == old["id"] and item["before"]["model"]["version"] == 1
    assert (item["before"]["recommendation"], item["after"]["recommendation"]) == ("software_engineers", "both")
    assert item["after"]["model"]["version"] == 2


def test_a_draft_to_simulate_is_the_body_one_saves_name_and_metadata_included(client, create, sessions):
    create(**BALANCED)
    draft = {"name": "Lean product", "metadata": {"team": "talent"}, **LEAN_PRODUCT}
    before = counts(sessions)
    simulated = client.post("/v1/simulations", json={"weight_profile": draft})
    assert simulated.status_code == 200, simulated.get_json()
    assert counts(sessions) == before  # a name does not make it stored
    saved = client.post("/v1/weight-profiles", json=draft)  # the same object, unedited
    assert saved.status_code == 201
    assert simulated.get_json()["weight_profile"]["hash"] == saved.get_json()["hash"]


def test_a_draft_name_is_validated_as_when_saving(client):
    refused = client.post("/v1/simulations", json={"weight_profile": {"name": "", **LEAN_PRODUCT}})
    assert refused.status_code == 422
    assert [error["pointer"] for error in refused.get_json()["errors"]] == ["/weight_profile/name"]
