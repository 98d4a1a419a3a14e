"""POST /v1/recommendations and GET /v1/recommendations/{id}."""

import re

from tests.api.conftest import VALID


def test_create_answers_201_with_location_of_the_stored_body(client, create):
    response = create(priorities=["ship_fast"], planned_hires=4)
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"rec_[0-9a-z]{26}", body["id"])
    assert response.headers["Location"] == f"/v1/recommendations/{body['id']}"
    assert response.content_type == "application/json"


def test_get_returns_the_body_exactly_as_first_returned(client, create):
    created = create(company_name="Ünïcode Ltd", external_id="REQ-7")
    fetched = client.get(created.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_data() == created.get_data()


def test_the_result_carries_every_field_of_the_contract(create):
    body = create(planned_hires=5).get_json()
    assert set(body) == {
        "id", "created_at", "profile", "recommendation", "scores", "confidence", "margin",
        "headcount", "factors", "summary", "model", "what_would_change", "what_would_change_note",
        "what_would_change_pair", "interactions", "role_profiles", "growth_engineering", "scorecard", "note_text",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["created_at"])
    assert body["recommendation"] in ("product_engineers", "software_engineers", "both")
    assert body["headcount"]["product_engineers"] + body["headcount"]["software_engineers"] == 5
    assert body["model"]["weight_profile_id"] == "wp_default" and body["model"]["version"] == 2
    for factor in body["factors"]:
        assert set(factor) - {"parts"} == {"factor", "value", "weight", "lean", "contribution", "favors", "reason"}


def test_the_profile_is_echoed_with_defaults_filled_in(create):
    profile = create(priorities=["security", "ship_fast"]).get_json()["profile"]
    assert profile == {
        **VALID,
        "priorities": ["ship_fast", "security"],
        "customer_access": None,
        "planned_hires": None,
        "company_name": None,
        "external_id": None,
        "weight_profile_id": "wp_default",
        "weight_profile_version": 2,
        "metadata": {},
    }


def test_headcount_is_null_without_planned_hires(create):
    assert create().get_json()["headcount"] is None


def test_null_optional_fields_are_treated_as_absent(create):
    response = create(priorities=None, customer_access=None, planned_hires=None, company_name=None)
    assert response.status_code == 201
    assert response.get_json()["profile"]["priorities"] == []


def test_naming_the_built_in_weight_profile_is_allowed(create):
    assert create(weight_profile_id="wp_default").status_code == 201


def test_scores_match_a_preview_of_the_same_profile(client, create):
    stored = create(priorities=["growth"], customer_access="limited").get_json()
    preview = client.post("/v1/recommendations/preview", json={**VALID, "priorities": ["growth"],
                                                               "customer_access": "limited"}).get_json()
    assert {k: v for k, v in stored.items() if k not in ("id", "created_at")} == preview


def test_unknown_id_is_404_problem(client):
    response = client.get("/v1/recommendations/rec_doesnotexist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_model_1_stays_available_with_its_own_fields(create):
    body = create(planned_hires=5, weight_profile_version=1).get_json()
    assert body["model"]["version"] == 1 and body["profile"]["weight_profile_version"] == 1
    assert "interactions" not in body and "what_would_change_note" not in body and "margin" in body
    assert len(body["scorecard"]) == 6
