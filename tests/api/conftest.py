import pytest
from openapi_schema_validator import OAS31Validator

from service.http.openapi import build

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def problem(response, status, code):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_FIELDS <= set(body)
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/problems/{code}")
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body


VALID = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}


@pytest.fixture
def create(client):
    """POST a profile (VALID with overrides) and return the response."""

    def _create(**overrides):
        return client.post("/v1/recommendations", json={**VALID, **overrides})

    return _create


@pytest.fixture
def stored_count(client):
    def _count():
        return len(client.get("/v1/recommendations?limit=100").get_json()["data"])

    return _count


@pytest.fixture
def spec(app):
    """The OpenAPI document the app generates."""
    return build(app)


def validator(spec, component):
    """A validator of the component schema `component` of `spec`."""
    return OAS31Validator({"$ref": f"#/components/schemas/{component}", "components": spec["components"]})
