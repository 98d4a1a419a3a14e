"""Bad profiles get 422 with a pointer and a code per field, and store nothing."""

import pytest

from tests.api.conftest import VALID


def errors_of(response):
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "validation_failed"
    return {(e["pointer"], e["code"]) for e in body["errors"]}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"team_size": "5"}, ("/team_size", "invalid_type")),
        ({"team_size": True}, ("/team_size", "invalid_type")),
        ({"team_size": 5.5}, ("/team_size", "invalid_type")),
        ({"team_size": -1}, ("/team_size", "out_of_range")),
        ({"team_size": 1_000_001}, ("/team_size", "out_of_range")),
        ({"team_size": None}, ("/team_size", "not_nullable")),
        ({"stage": "series_z"}, ("/stage", "invalid_choice")),
        ({"stage": 3}, ("/stage", "invalid_type")),
        ({"product_complexity": "LOW"}, ("/product_complexity", "invalid_choice")),
        ({"business_model": ""}, ("/business_model", "invalid_choice")),
        ({"priorities": ["scale", "scale"]}, ("/priorities", "duplicate_item")),
        ({"priorities": ["speed"]}, ("/priorities/0", "invalid_choice")),
        ({"priorities": "ship_fast"}, ("/priorities", "invalid_type")),
        ({"customer_access": "sometimes"}, ("/customer_access", "invalid_choice")),
        ({"planned_hires": 0}, ("/planned_hires", "out_of_range")),
        ({"planned_hires": 10_001}, ("/planned_hires", "out_of_range")),
        ({"company_name": ""}, ("/company_name", "invalid_length")),
        ({"company_name": "x" * 201}, ("/company_name", "invalid_length")),
        ({"external_id": "x" * 129}, ("/external_id", "invalid_length")),
        ({"weight_profile_id": "wp_nope"}, ("/weight_profile_id", "unknown_weight_profile")),
        ({"colour": "blue"}, ("/colour", "unknown_field")),
        ({"a/b~c": 1}, ("/a~1b~0c", "unknown_field")),
    ],
)
def test_bad_field_is_named_with_its_code(client, overrides, expected, stored_count):
    response = client.post("/v1/recommendations", json={**VALID, **overrides})
    assert expected in errors_of(response)
    assert stored_count() == 0


@pytest.mark.parametrize("field", ["stage", "team_size", "product_complexity", "business_model"])
def test_missing_required_field(client, field):
    payload = {k: v for k, v in VALID.items() if k != field}
    assert errors_of(client.post("/v1/recommendations", json=payload)) == {(f"/{field}", "required")}


def test_every_bad_field_is_reported_at_once(client):
    response = client.post("/v1/recommendations", json={"stage": "x", "team_size": "y", "extra": 1})
    assert errors_of(response) == {
        ("/stage", "invalid_choice"), ("/team_size", "invalid_type"), ("/extra", "unknown_field"),
        ("/product_complexity", "required"), ("/business_model", "required"),
    }
    assert "5 fields did not validate" in response.get_json()["detail"]


@pytest.mark.parametrize("body", ["[]", '"seed"', "42", "null"])
def test_a_body_that_is_not_an_object_points_at_the_root(client, body):
    response = client.post("/v1/recommendations", data=body, content_type="application/json")
    assert errors_of(response) == {("", "invalid_type")}


def test_preview_validates_the_same_way(client):
    response = client.post("/v1/recommendations/preview", json={**VALID, "team_size": "6"})
    assert errors_of(response) == {("/team_size", "invalid_type")}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"external_id": "a\u0000b"}, ("/external_id", "invalid_format")),
        ({"company_name": "Acme\nInc"}, ("/company_name", "invalid_format")),
        ({"company_name": "   "}, ("/company_name", "invalid_length")),
        ({"weight_profile_id": "wp\u0000"}, ("/weight_profile_id", "invalid_format")),
    ],
)
def test_text_fields_take_one_visible_line(client, overrides, expected, stored_count):
    assert expected in errors_of(client.post("/v1/recommendations", json={**VALID, **overrides}))
    assert stored_count() == 0
