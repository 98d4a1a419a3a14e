"""Bodies built to maximise validation work: each refused with a small answer, nothing stored.

The time each costs a worker is measured by benchmarks/hostile.py, not here."""

import pytest

from benchmarks.hostile import ANSWER_MAX, hostile_bodies
from schemas.fields import ERROR_BUDGET
from service.http.apidoc import BATCH_BODY_MAX, PROFILE_BODY_MAX, SIMULATION_BODY_MAX
from tests.api.conftest import VALID, problem

BODIES = hostile_bodies()


@pytest.mark.parametrize("name", list(BODIES))
def test_a_body_built_for_errors_is_refused_with_a_small_answer(client, stored_count, name):
    path, content_type, body = BODIES[name]
    response = client.post(path, data=body, content_type=content_type)
    assert response.status_code in (200, 400, 413, 415, 422), response.get_data(as_text=True)[:500]
    assert len(response.get_data()) < ANSWER_MAX
    answer = response.get_json()
    assert len(answer.get("errors") or []) <= ERROR_BUDGET
    if response.status_code == 200:  # a batch whose items are each refused on their own
        assert answer["stored"] == 0 and all(item["status"] == 422 for item in answer["items"])
    assert stored_count() == 0


def test_the_errors_past_the_budget_are_counted_not_listed(client):
    path, content_type, body = BODIES["batch: 100 items, every field wrong"]
    answer = problem(client.post(path, data=body, content_type=content_type), 422, "validation_failed")
    assert len(answer["errors"]) == ERROR_BUDGET and answer["errors_omitted"] > 0
    assert answer["errors"][0]["pointer"].startswith("/items/0/")
    assert " more." in answer["detail"]


def test_a_list_too_long_is_refused_on_its_length_alone(client):
    answer = problem(client.post("/v1/recommendations/preview", json={**VALID, "priorities": ["nope"] * 1000}), 422,
                     "validation_failed")
    assert [(e["pointer"], e["code"]) for e in answer["errors"]] == [("/priorities", "invalid_length")]


def test_an_object_stuffed_with_unknown_fields_lists_a_few(client):
    answer = problem(client.post("/v1/recommendations/preview", json={f"k{i}": 0 for i in range(500)}), 422,
                     "validation_failed")
    codes = [e["code"] for e in answer["errors"]]
    assert codes.count("unknown_field") == 10 and "too_many_errors" in codes


def test_a_long_made_up_name_is_echoed_cut_short(client):
    answer = problem(client.post("/v1/weight-profiles", json={"name": "x", "leans": {"stage": {"k" * 5000: 0}}}),
                     422, "validation_failed")
    assert len(answer["errors"][0]["pointer"]) < 100


@pytest.mark.parametrize(("path", "limit"), [
    ("/v1/recommendations/preview", PROFILE_BODY_MAX),
    ("/v1/recommendations", PROFILE_BODY_MAX),
    ("/v1/weight-profiles", PROFILE_BODY_MAX),
    ("/v1/recommendations/batch", BATCH_BODY_MAX),
    ("/v1/simulations", SIMULATION_BODY_MAX),
])
def test_each_operation_refuses_a_body_over_its_own_limit(client, stored_count, path, limit):
    body = b'{"padding": "' + b" " * limit + b'"}'
    answer = problem(client.post(path, data=body, content_type="application/json"), 413, "payload_too_large")
    assert str(limit) in answer["detail"]
    assert stored_count() == 0
