"""PUT and GET /v1/requisitions/{external_id}/recommendation, and the `current` filter of the list and export."""

import csv
import datetime as dt
import io
import threading
from urllib.parse import quote

import pytest
from sqlalchemy import select

from service import keys
from service.audit.tables import AuditEvent
from service.recommendations import to_json
from tests.api.conftest import VALID, problem, validator
from tests.fixtures.stored import every_document, record

PROFILE = {**VALID, "planned_hires": 4, "metadata": {"team": "platform"}}


def url(external_id: str) -> str:
    return f"/v1/requisitions/{quote(external_id, safe='')}/recommendation"


def ids(response):
    return [item["id"] for item in response.get_json()["data"]]


def history(client, external_id):
    return ids(client.get("/v1/recommendations", query_string={"external_id": external_id, "limit": 100}))


def principal(app, client):
    key = client.environ_base["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    return keys.authenticate(key, app.extensions["hiremix"].sessions)


def other_client(app, key):
    other = app.test_client()
    other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return other


def test_the_first_answer_is_201_and_becomes_current(client, spec):
    put = client.put(url("REQ-1"), json=PROFILE)
    assert put.status_code == 201
    body = put.get_json()
    assert put.headers["Location"] == f"/v1/recommendations/{body['id']}"
    assert body["profile"]["external_id"] == "REQ-1" and body["profile"]["metadata"] == {"team": "platform"}
    validator(spec, "Recommendation").validate(body)
    assert client.get(put.headers["Location"]).get_data() == put.get_data()
    current = client.get(url("REQ-1"))
    assert current.status_code == 200 and current.get_data() == put.get_data()
    assert current.headers["Cache-Control"] == "private, no-cache" and current.headers["ETag"].startswith('"')
    assert history(client, "REQ-1") == [body["id"]]


def test_the_same_profile_again_is_200_with_the_current_body_and_no_new_history(client):
    first = client.put(url("REQ-1"), json=PROFILE)
    again = client.put(url("REQ-1"), json={**PROFILE, "external_id": "REQ-1"})
    assert again.status_code == 200 and "Location" not in again.headers
    assert again.get_data() == first.get_data()
    # The same meaning in another form: priorities in another order, metadata keys in another order, 6.0 for 6.
    same = client.put(url("REQ-1"), json={**PROFILE, "team_size": 6.0, "priorities": None,
                                         "weight_profile_id": "wp_default", "weight_profile_version": 2})
    assert same.status_code == 200 and same.get_data() == first.get_data()
    assert history(client, "REQ-1") == [first.get_json()["id"]]


def test_a_changed_profile_is_a_new_current_answer_and_the_old_one_history(client):
    first = client.put(url("REQ-1"), json=PROFILE).get_json()
    second = client.put(url("REQ-1"), json={**PROFILE, "planned_hires": 6})
    assert second.status_code == 201
    changed_metadata = client.put(url("REQ-1"), json={**PROFILE, "planned_hires": 6, "metadata": {"team": "core"}})
    assert changed_metadata.status_code == 201
    no_metadata = client.put(url("REQ-1"), json={**PROFILE, "planned_hires": 6, "metadata": None})
    assert no_metadata.status_code == 201
    assert history(client, "REQ-1") == [no_metadata.get_json()["id"], changed_metadata.get_json()["id"],
                                        second.get_json()["id"], first["id"]]
    assert client.get(url("REQ-1")).get_data() == no_metadata.get_data()
    back = client.put(url("REQ-1"), json=PROFILE)  # the first profile again: new, as it is not the current one
    assert back.status_code == 201 and back.get_json()["id"] != first["id"]
    assert client.get(url("REQ-1")).get_json()["id"] == back.get_json()["id"]


def test_another_weight_profile_version_is_a_new_answer(client):
    weights = client.post("/v1/weight-profiles", json={"name": "Ours"}).get_json()
    profile = {**PROFILE, "weight_profile_id": weights["id"]}
    first = client.put(url("REQ-W"), json=profile)
    assert (first.status_code, first.get_json()["profile"]["weight_profile_version"]) == (201, 1)
    assert client.put(url("REQ-W"), json=profile).status_code == 200
    client.post(f"/v1/weight-profiles/{weights['id']}/versions", json={"thresholds": {"upper": 0.7}})
    newer = client.put(url("REQ-W"), json=profile)
    assert (newer.status_code, newer.get_json()["profile"]["weight_profile_version"]) == (201, 2)
    pinned = client.put(url("REQ-W"), json={**profile, "weight_profile_version": 2})
    assert pinned.status_code == 200 and pinned.get_data() == newer.get_data()


def test_a_post_with_the_external_id_counts_as_an_answer(client, create):
    posted = create(**PROFILE, external_id="REQ-P")
    assert client.get(url("REQ-P")).get_data() == posted.get_data()
    same = client.put(url("REQ-P"), json=PROFILE)
    assert same.status_code == 200 and same.get_data() == posted.get_data()
    newer = create(**{**PROFILE, "planned_hires": 9}, external_id="REQ-P")
    assert client.get(url("REQ-P")).get_data() == newer.get_data()


def test_deleting_the_current_answer_makes_the_previous_one_current_and_none_left_is_404(client):
    first = client.put(url("REQ-D"), json=PROFILE)
    second = client.put(url("REQ-D"), json={**PROFILE, "planned_hires": 6})
    etag = client.get(url("REQ-D")).headers["ETag"]
    assert client.delete(second.headers["Location"]).status_code == 204
    now = client.get(url("REQ-D"), headers={"If-None-Match": etag})
    assert now.status_code == 200 and now.get_data() == first.get_data() and now.headers["ETag"] != etag
    # The first profile is current again, so sending it is a retry.
    assert client.put(url("REQ-D"), json=PROFILE).status_code == 200
    assert client.delete(first.headers["Location"]).status_code == 204
    gone = client.get(url("REQ-D"))
    problem(gone, 404, "not_found")
    assert gone.get_json()["detail"] == "No recommendation is stored for this requisition."
    assert client.put(url("REQ-D"), json=PROFILE).status_code == 201


def test_the_current_answer_revalidates_with_its_etag(client):
    client.put(url("REQ-E"), json=PROFILE)
    etag = client.get(url("REQ-E")).headers["ETag"]
    cached = client.get(url("REQ-E"), headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.get_data() == b""
    client.put(url("REQ-E"), json={**PROFILE, "planned_hires": 2})
    assert client.get(url("REQ-E"), headers={"If-None-Match": etag}).status_code == 200


def test_an_answer_is_newer_than_the_current_one_even_when_the_clock_is_behind(app, client):
    tenant = principal(app, client).tenant_id
    ahead = client.post("/v1/recommendations/preview", json={**PROFILE, "external_id": "REQ-C"}).get_json()
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)  # stored by a server whose clock runs ahead
    document = {"id": "rec_" + "f" * 26, "created_at": future.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **ahead}
    with app.extensions["hiremix"].sessions.begin() as session:
        session.add(record(document, tenant))
    assert client.get(url("REQ-C")).get_json()["id"] == document["id"]
    newer = client.put(url("REQ-C"), json={**PROFILE, "planned_hires": 7})
    assert newer.status_code == 201
    assert newer.get_json()["created_at"] == (future + dt.timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert client.get(url("REQ-C")).get_data() == newer.get_data()


def test_answers_stored_by_earlier_releases_count_and_a_put_supersedes_them(app, client):
    tenant = principal(app, client).tenant_id
    with app.extensions["hiremix"].sessions.begin() as session:
        session.add_all([record(document, tenant) for document in every_document()])
    old = client.get(url("REQ-1042"))
    assert old.status_code == 200 and old.get_data(as_text=True) == to_json(every_document()[3])
    # Its profile has no metadata (nor today's model), so today's evaluation of the same profile is new.
    same = {key: value for key, value in every_document()[3]["profile"].items() if key != "external_id"}
    put = client.put(url("REQ-1042"), json=same)
    assert put.status_code == 201 and put.get_json()["profile"]["metadata"] == {}
    assert history(client, "REQ-1042") == [put.get_json()["id"], every_document()[3]["id"], every_document()[0]["id"]]
    current = ids(client.get("/v1/recommendations?current=true&limit=100"))
    assert put.get_json()["id"] in current and every_document()[3]["id"] not in current
    assert {d["id"] for d in every_document() if d["profile"]["external_id"] is None} <= set(current)


def test_the_body_may_not_name_another_requisition(client, stored_count):
    response = client.put(url("REQ-1"), json={**PROFILE, "external_id": "REQ-2"})
    problem(response, 422, "validation_failed")
    assert [(e["pointer"], e["code"]) for e in response.get_json()["errors"]] == [("/external_id",
                                                                                  "conflicts_with_path")]
    assert stored_count() == 0


@pytest.mark.parametrize(("body", "pointer"), [
    ({**VALID, "stage": "series_z"}, "/stage"),
    ({**VALID, "metadata": {"a b": "x"}}, "/metadata/a b"),
    ({**VALID, "weight_profile_id": "wp_nope"}, "/weight_profile_id"),
    ({"stage": "seed"}, "/team_size"),
])
def test_a_bad_profile_is_422_and_nothing_is_stored(client, stored_count, body, pointer):
    response = client.put(url("REQ-1"), json=body)
    problem(response, 422, "validation_failed")
    assert pointer in [e["pointer"] for e in response.get_json()["errors"]]
    assert stored_count() == 0
    problem(client.get(url("REQ-1")), 404, "not_found")


def test_a_body_that_is_not_json_is_refused(client, stored_count):
    problem(client.put(url("REQ-1"), data="stage=seed", content_type="text/plain"), 415, "unsupported_media_type")
    problem(client.put(url("REQ-1"), data="{", content_type="application/json"), 400, "malformed_json")
    assert stored_count() == 0


@pytest.mark.parametrize("external_id", [
    "REQ 42 – Berlin", "Stellenausschreibung Ä/Ö é ✓ 日本", "team/REQ-1", "/leading", "trailing/", "a//b", "a/../b",
    "REQ-1/recommendation", "100% sure?#frag&x=1", "+plus+", "x" * 128,
])
def test_any_external_id_is_addressable_percent_encoded(client, external_id):
    put = client.put(url(external_id), json=PROFILE)
    assert put.status_code == 201, put.get_json()
    assert put.get_json()["profile"]["external_id"] == external_id
    got = client.get(url(external_id))
    assert got.status_code == 200 and got.get_data() == put.get_data()
    assert history(client, external_id) == [put.get_json()["id"]]
    assert client.put(url(external_id), json=PROFILE).status_code == 200


def test_ids_that_differ_only_around_slashes_are_different_requisitions(client):
    made = {external_id: client.put(url(external_id), json=PROFILE).get_json()["id"]
            for external_id in ("a/b", "a//b", "/a/b", "a/b/", "a%2Fb")}
    assert len(set(made.values())) == 5
    for external_id, answer in made.items():
        assert client.get(url(external_id)).get_json()["id"] == answer


@pytest.mark.parametrize("path", [
    "/v1/requisitions/" + "x" * 129 + "/recommendation",
    "/v1/requisitions/a%01b/recommendation",
    "/v1/requisitions/a%0Ab/recommendation",
    "/v1/requisitions/%20%20/recommendation",
    "/v1/requisitions//recommendation",
])
def test_a_path_that_names_no_requisition_is_404(client, stored_count, path):
    problem(client.put(path, json=PROFILE), 404, "not_found")
    problem(client.get(path), 404, "not_found")
    assert stored_count() == 0


def test_a_long_bad_id_is_not_echoed(client):
    response = client.get("/v1/requisitions/" + "x" * 3000 + "/recommendation")
    body = problem(response, 404, "not_found")
    assert body["detail"] == "This path names no requisition: an external id is 1 to 128 characters of one line."


def test_scopes(app, new_key, client):
    client.put(url("REQ-S"), json=PROFILE)
    reader = other_client(app, new_key("reader", tenant=principal(app, client).tenant_id,
                                       scopes=("recommendations:read",)))
    writer = other_client(app, new_key("writer", tenant=principal(app, client).tenant_id,
                                       scopes=("recommendations:write",)))
    problem(reader.put(url("REQ-S"), json={**PROFILE, "planned_hires": 1}), 403, "insufficient_scope")
    assert reader.get(url("REQ-S")).status_code == 200
    problem(writer.get(url("REQ-S")), 403, "insufficient_scope")
    assert writer.put(url("REQ-S"), json={**PROFILE, "planned_hires": 1}).status_code == 201
    problem(app.test_client().get(url("REQ-S")), 401, "unauthenticated")
    problem(app.test_client().put(url("REQ-S"), json=PROFILE), 401, "unauthenticated")
    assert len(history(client, "REQ-S")) == 2


def test_tenants_have_their_own_requisitions(app, new_key, client):
    mine = client.put(url("REQ-T"), json=PROFILE)
    other = other_client(app, new_key("tenant b"))
    problem(other.get(url("REQ-T")), 404, "not_found")
    theirs = other.put(url("REQ-T"), json=PROFILE)  # the same id and profile: a first answer of their own
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine.get_json()["id"]
    assert client.get(url("REQ-T")).get_data() == mine.get_data()
    assert other.get(url("REQ-T")).get_data() == theirs.get_data()
    assert other.delete(mine.headers["Location"]).status_code == 404
    assert ids(other.get("/v1/recommendations?current=true")) == [theirs.get_json()["id"]]


def test_a_new_answer_is_audited_with_the_key_and_a_retry_is_not(app, client):
    who = principal(app, client)
    first = client.put(url("REQ-A"), json=PROFILE).get_json()
    client.put(url("REQ-A"), json=PROFILE)
    with app.extensions["hiremix"].sessions() as session:
        events = session.execute(select(AuditEvent).where(AuditEvent.tenant_id == who.tenant_id,
                                                          AuditEvent.subject_type == "recommendation")).scalars().all()
        assert [(e.action, e.key_id, e.subject_id, e.details) for e in events] == [
            ("recommendation.created", who.key_id, first["id"], None)]


def test_concurrent_puts_of_the_same_profile_store_one_answer(app, client, api_key):
    statuses, barrier = [], threading.Barrier(6)

    def put():
        mine = other_client(app, api_key)
        barrier.wait()
        statuses.append(mine.put(url("REQ-RACE"), json=PROFILE).status_code)

    threads = [threading.Thread(target=put) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert len(history(client, "REQ-RACE")) == 1


# --- current=true|false on the list and the export ----------------------------------------------------------------


@pytest.fixture
def answers(client, create):
    """REQ-1 answered three times, REQ-2 once, and two answers without an external id, oldest first."""
    made = [
        client.put(url("REQ-1"), json=PROFILE),
        create(team_size=50),
        client.put(url("REQ-1"), json={**PROFILE, "planned_hires": 2}),
        client.put(url("REQ-2"), json=PROFILE),
        create(team_size=51),
        client.put(url("REQ-1"), json={**PROFILE, "planned_hires": 3}),
    ]
    return [response.get_json()["id"] for response in made]


@pytest.mark.parametrize(("query", "expected"), [
    ("", [5, 4, 3, 2, 1, 0]),
    ("current=true", [5, 4, 3, 1]),
    ("current=false", [2, 0]),
    ("current=true&external_id=REQ-1", [5]),
    ("current=false&external_id=REQ-1", [2, 0]),
    ("current=true&metadata[team]=platform", [5, 3]),
    ("current=true&team_size=x", None),
])
def test_the_current_filter(client, answers, query, expected):
    response = client.get(f"/v1/recommendations?{query}")
    if expected is None:
        problem(response, 422, "validation_failed")
        return
    assert ids(response) == [answers[n] for n in expected]
    export = client.get(f"/v1/recommendations/export?{query}")
    assert [row[0] for row in list(csv.reader(io.StringIO(export.get_data(as_text=True))))[1:]] == [
        answers[n] for n in expected]


def test_the_current_filter_pages(client, answers):
    first = client.get("/v1/recommendations?current=true&limit=3")
    assert ids(first) == [answers[5], answers[4], answers[3]]
    assert "current=true" in first.headers["Link"]
    second = client.get(first.headers["Link"].split(";")[0].strip("<> "))
    assert ids(second) == [answers[1]] and second.get_json()["has_more"] is False


def test_deleting_the_current_answer_changes_what_current_means(client, answers):
    assert client.delete(f"/v1/recommendations/{answers[5]}").status_code == 204
    assert ids(client.get("/v1/recommendations?current=true")) == [answers[4], answers[3], answers[2], answers[1]]
    assert ids(client.get("/v1/recommendations?current=false")) == [answers[0]]


@pytest.mark.parametrize("value", ["TRUE", "True", "1", "yes", "", "on", "0"])
def test_current_is_true_or_false_as_written(client, value):
    response = client.get(f"/v1/recommendations?current={value}")
    problem(response, 422, "validation_failed")
    assert [(e["pointer"], e["code"], e["parameter"]) for e in response.get_json()["errors"]] == [
        ("/current", "invalid_type", "current")]


def test_the_document_describes_the_requisition_operations(spec):
    item = spec["paths"]["/v1/requisitions/{external_id}/recommendation"]
    [parameter] = item["parameters"]
    assert (parameter["name"], parameter["in"], parameter["schema"]["maxLength"]) == ("external_id", "path", 128)
    assert "%2F" in parameter["description"]
    put, get = item["put"], item["get"]
    assert (put["x-hiremix-scope"], get["x-hiremix-scope"]) == ("recommendations:write", "recommendations:read")
    assert [status for status in put["responses"] if status < "300"] == ["200", "201"]
    assert "Location" in put["responses"]["201"]["headers"] and "Location" not in put["responses"]["200"]["headers"]
    assert "ETag" in get["responses"]["200"]["headers"] and "304" in get["responses"]
    for operation in (put, get):
        assert "newest remaining" in operation["description"]
    assert "newest remaining" in spec["paths"]["/v1/recommendations/{id}"]["delete"]["description"]
    assert any(tag["name"] == "requisitions" for tag in spec["tags"])
    examples = put["requestBody"]["content"]["application/json"]["examples"]
    assert "external_id" not in examples["answer"]["value"]
