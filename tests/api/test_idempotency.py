"""Idempotency-Key: the first 2xx answer is replayed; a different request with the key is refused."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from service.orm import IdempotencyRecord, RecommendationRecord
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client


def stored_rows(sessions) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(RecommendationRecord)).scalar_one()


def test_a_retry_gets_the_same_status_body_and_location_and_stores_once(client, sessions):
    headers = {"Idempotency-Key": "req-1042-attempt"}
    first = client.post("/v1/recommendations", json=VALID, headers=headers)
    again = client.post("/v1/recommendations", json=VALID, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.content_type == "application/json"
    assert stored_rows(sessions) == 1


def test_key_order_and_spacing_of_the_json_do_not_make_a_different_request(client, sessions):
    headers = {"Idempotency-Key": "k-order", "Content-Type": "application/json"}
    first = client.post("/v1/recommendations", data='{"stage":"seed","team_size":6,"product_complexity":"low",'
                                                     '"business_model":"b2b_saas"}', headers=headers)
    again = client.post("/v1/recommendations", data='{ "business_model": "b2b_saas", "product_complexity": "low",'
                                                     ' "team_size": 6, "stage": "seed" }', headers=headers)
    assert again.get_data() == first.get_data() and stored_rows(sessions) == 1


def test_the_same_key_with_a_different_body_is_422_and_stores_nothing_more(client, sessions):
    headers = {"Idempotency-Key": "k-reused"}
    client.post("/v1/recommendations", json=VALID, headers=headers)
    response = client.post("/v1/recommendations", json={**VALID, "team_size": 7}, headers=headers)
    body = problem(response, 422, "idempotency_key_reused")
    assert body["errors"] == [{"pointer": "", "code": "idempotency_key_reused", "header": "Idempotency-Key",
                               "message": "Use a new Idempotency-Key for a different request."}]
    assert stored_rows(sessions) == 1


def test_the_same_key_on_another_endpoint_is_a_different_request(client):
    headers = {"Idempotency-Key": "k-endpoint"}
    client.post("/v1/recommendations", json=VALID, headers=headers)
    body = problem(client.post("/v1/recommendations/batch", json={"items": [VALID]}, headers=headers), 422,
                   "idempotency_key_reused")
    assert "POST /v1/recommendations" in body["detail"]


def test_an_error_answer_is_not_kept_so_the_request_can_be_corrected(client, sessions):
    headers = {"Idempotency-Key": "k-fix-me"}
    problem(client.post("/v1/recommendations", json={**VALID, "stage": "series_z"}, headers=headers), 422,
            "validation_failed")
    fixed = client.post("/v1/recommendations", json=VALID, headers=headers)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert stored_rows(sessions) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\tinside"])
def test_an_unusable_key_is_422_naming_the_header(client, sessions, key):
    response = client.post("/v1/recommendations", json=VALID, headers={"Idempotency-Key": key.encode().decode("latin-1")})
    body = problem(response, 422, "validation_failed")
    assert body["errors"][0]["header"] == "Idempotency-Key"
    assert stored_rows(sessions) == 0


def test_without_a_key_every_post_stores_anew(client, sessions):
    client.post("/v1/recommendations", json=VALID)
    client.post("/v1/recommendations", json=VALID)
    assert stored_rows(sessions) == 2


def test_after_24_hours_the_key_is_free_again(client, sessions):
    headers = {"Idempotency-Key": "k-expiring"}
    first = client.post("/v1/recommendations", json=VALID, headers=headers)
    with sessions.begin() as session:
        session.execute(update(IdempotencyRecord).values(
            expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    later = client.post("/v1/recommendations", json={**VALID, "team_size": 9}, headers=headers)
    assert later.status_code == 201 and later.get_json()["id"] != first.get_json()["id"]


def test_a_pending_record_left_by_a_dead_request_is_taken_over(client, sessions, api_key):
    from service import keys

    tenant = keys.authenticate(api_key, sessions).tenant_id
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    with sessions.begin() as session:
        session.add(IdempotencyRecord(tenant_id=tenant, key="k-dead", claim="dead", fingerprint="0" * 64,
                                      request="POST /x",
                                      created_at=long_ago, expires_at=long_ago + dt.timedelta(hours=24)))
    assert client.post("/v1/recommendations", json=VALID, headers={"Idempotency-Key": "k-dead"}).status_code == 201


def test_a_batch_replays_too(client, sessions):
    batch = {"items": [VALID, {**VALID, "stage": "nope"}]}
    first = client.post("/v1/recommendations/batch", json=batch, headers={"Idempotency-Key": "k-batch"})
    again = client.post("/v1/recommendations/batch", json=batch, headers={"Idempotency-Key": "k-batch"})
    assert again.get_data() == first.get_data() and stored_rows(sessions) == 1
    assert again.headers["Idempotent-Replayed"] == "true"


def kept_keys(sessions) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one()


@pytest.mark.parametrize(("path", "payload"), [
    ("/v1/recommendations/preview", VALID),
    ("/v1/simulations", {"weight_profile": {"weights": {"stage": 2}}, "profiles": [VALID]}),
])
def test_operations_that_store_nothing_keep_no_answer_for_a_key(app, new_key, sessions, path, payload):
    reader = keyed_client(app, new_key("reader", scopes=("recommendations:read",)))
    first = reader.post(path, json=payload, headers={"Idempotency-Key": "k-read-only"})
    again = reader.post(path, json=payload, headers={"Idempotency-Key": "k-read-only"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert "Idempotent-Replayed" not in again.headers and again.get_data() == first.get_data()
    assert kept_keys(sessions) == 0


@pytest.mark.parametrize(("first", "again"), [
    ('"team_size":6', '"team_size":6.0'),
    ('"team_size":6', '"team_size":6,"planned_hires":null'),
    ('"team_size":6', '"team_size":6,"priorities":null,"customer_access":null'),
    ('"team_size":6,"priorities":["ship_fast"]', '"team_size":6e0,"priorities":["ship_fast"],"company_name":null'),
    ('"team_size":6,"priorities":["scale","ship_fast"]', '"team_size":6,"priorities":["ship_fast","scale"]'),
    ('"team_size":6', '"team_size":6,"weight_profile_id":"wp_default"'),
])
def test_requests_that_validate_to_the_same_profile_are_the_same_request(client, sessions, first, again):
    headers = {"Idempotency-Key": "k-same", "Content-Type": "application/json"}
    start = '{"stage":"seed","product_complexity":"low","business_model":"b2b_saas",'
    one = client.post("/v1/recommendations", data=start + first + "}", headers=headers)
    two = client.post("/v1/recommendations", data=start + again + "}", headers=headers)
    assert (one.status_code, two.status_code) == (201, 201)
    assert two.headers["Idempotent-Replayed"] == "true" and two.get_data() == one.get_data()
    assert stored_rows(sessions) == 1


def test_an_answer_too_large_to_keep_is_not_kept_and_its_retry_runs_again(client, sessions, monkeypatch):
    from service import idempotency

    monkeypatch.setattr(idempotency, "ANSWER_MAX_CHARS", 100)
    headers = {"Idempotency-Key": "k-large"}
    assert client.post("/v1/recommendations", json=VALID, headers=headers).status_code == 201
    assert kept_keys(sessions) == 0
    assert "Idempotent-Replayed" not in client.post("/v1/recommendations", json=VALID, headers=headers).headers
    assert stored_rows(sessions) == 2


def test_the_largest_batch_answer_fits_the_cap(client):
    from service import idempotency

    longest = {**VALID, "priorities": ["ship_fast", "innovation", "growth", "scale", "reliability", "security"],
               "customer_access": "direct", "planned_hires": 10000, "company_name": "\u00e9" * 200,
               "external_id": "R" * 128}
    response = client.post("/v1/recommendations/batch", json={"items": [longest] * 100},
                           headers={"Idempotency-Key": "k-biggest"})
    assert response.status_code == 200 and response.get_json()["stored"] == 100
    assert len(response.get_data(as_text=True)) <= idempotency.ANSWER_MAX_CHARS
    replay = client.post("/v1/recommendations/batch", json={"items": [longest] * 100},
                         headers={"Idempotency-Key": "k-biggest"})
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_expired_keys_are_purged_without_an_operator(client, sessions, api_key, monkeypatch):
    from service import housekeeping, idempotency, keys

    tenant = keys.authenticate(api_key, sessions).tenant_id
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)
    with sessions.begin() as session:
        session.add(IdempotencyRecord(tenant_id=tenant, key="k-expired", claim="c", fingerprint="0" * 64,
                                      request="POST /v1/recommendations", created_at=long_ago,
                                      expires_at=long_ago + idempotency.RETENTION, status=201, body="{}"))
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)  # the process's purges are due
    client.post("/v1/recommendations", json=VALID, headers={"Idempotency-Key": "k-fresh"}).close()  # sent
    with sessions() as session:
        assert session.get(IdempotencyRecord, (tenant, "k-expired")) is None
        assert session.get(IdempotencyRecord, (tenant, "k-fresh")) is not None


def test_concurrent_requests_with_one_key_store_exactly_one(app, api_key, sessions):
    """Ten threads at once through the app (the multi-process version is in tests/e2e)."""
    barrier = threading.Barrier(10)
    answers = []

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post("/v1/recommendations", json=VALID,
                               headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": "k-race"})
        answers.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201] * 10
    assert len({body for _, body in answers}) == 1
    assert stored_rows(sessions) == 1


def test_a_body_with_a_repeated_key_is_never_taken_for_the_stored_request(client):
    headers = {"Idempotency-Key": "k-dupe", "Content-Type": "application/json"}
    client.post("/v1/recommendations", json=VALID, headers={"Idempotency-Key": "k-dupe"})
    twice = '{"stage":"growth","stage":"seed","team_size":6,"product_complexity":"low","business_model":"b2b_saas"}'
    problem(client.post("/v1/recommendations", data=twice, headers=headers), 400, "malformed_json")


def test_a_claim_taken_over_as_abandoned_cannot_overwrite_the_new_one(sessions, api_key):
    from service import idempotency, keys

    tenant = keys.authenticate(api_key, sessions).tenant_id
    first = idempotency.claim(sessions, tenant, "k-slow", "f" * 64, "POST /v1/recommendations")
    with sessions.begin() as session:  # the first request is now "abandoned" ...
        session.execute(update(IdempotencyRecord).values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)))
    second = idempotency.claim(sessions, tenant, "k-slow", "f" * 64, "POST /v1/recommendations")  # ... taken over
    assert second.token != first.token
    assert idempotency.complete(sessions, first, idempotency.Stored(201, "application/json", None, "old")) is False
    idempotency.release(sessions, first)  # nor can it free the key under the new claimant
    assert idempotency.complete(sessions, second, idempotency.Stored(201, "application/json", None, "new")) is True
    replay = idempotency.claim(sessions, tenant, "k-slow", "f" * 64, "POST /v1/recommendations")
    assert replay.body == "new"


def test_only_a_taken_key_counts_as_a_conflict(sessions):
    from sqlalchemy.exc import IntegrityError

    from service import idempotency

    with pytest.raises(IntegrityError):  # no such tenant: a foreign key failure, not "the key is taken"
        idempotency.claim(sessions, "ten_nobody", "k", "f" * 64, "POST /v1/recommendations")


def test_a_database_failure_while_keeping_the_answer_still_answers_the_work_done(client, sessions, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from service import idempotency

    real_begin = sessions.begin
    calls = []

    def flaky_begin(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # claim, the recommendation itself, then keeping the answer
            raise OperationalError("UPDATE idempotency_records", {}, Exception("database went away"))
        return real_begin(*args, **kwargs)

    monkeypatch.setattr(sessions, "begin", flaky_begin)
    response = client.post("/v1/recommendations", json=VALID, headers={"Idempotency-Key": "k-flaky"})
    monkeypatch.setattr(sessions, "begin", real_begin)
    assert response.status_code == 201 and stored_rows(sessions) == 1
    assert idempotency.ABANDONED_AFTER.total_seconds() == 35


def test_refused_batch_items_are_compared_as_they_were_sent(client):
    headers = {"Idempotency-Key": "k-refused"}
    first = client.post("/v1/recommendations/batch", json={"items": [{**VALID, "stage": "bogus1"}]}, headers=headers)
    assert first.status_code == 200
    problem(client.post("/v1/recommendations/batch", json={"items": [{**VALID, "stage": "bogus2"}]}, headers=headers),
            422, "idempotency_key_reused")
    again = client.post("/v1/recommendations/batch", json={"items": [{**VALID, "stage": "bogus1"}]}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_deleted_recommendation_is_never_replayed(client, sessions):
    """Deleting erases the kept answers that hold it, single or in a batch: a retry runs again instead."""
    from sqlalchemy import select

    from service.orm import IdempotencyRecord

    profile = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas",
               "external_id": "REQ-secret"}
    first = client.post("/v1/recommendations", json=profile, headers={"Idempotency-Key": "one"})
    batch = client.post("/v1/recommendations/batch", json={"items": [profile, profile]},
                        headers={"Idempotency-Key": "many"})
    single_id, batch_ids = first.get_json()["id"], [i["recommendation"]["id"] for i in batch.get_json()["items"]]
    assert client.delete(f"/v1/recommendations/{single_id}").status_code == 204
    assert client.delete(f"/v1/recommendations/{batch_ids[0]}").status_code == 204
    with sessions() as session:
        kept = session.execute(select(IdempotencyRecord.body)).scalars().all()
    assert not any(single_id in body or batch_ids[0] in body for body in kept)
    again = client.post("/v1/recommendations", json=profile, headers={"Idempotency-Key": "one"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.get_json()["id"] != single_id
    batch_again = client.post("/v1/recommendations/batch", json={"items": [profile, profile]},
                              headers={"Idempotency-Key": "many"})
    assert "Idempotent-Replayed" not in batch_again.headers
    assert client.get(f"/v1/recommendations/{single_id}").status_code == 404
