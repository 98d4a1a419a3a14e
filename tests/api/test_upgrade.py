"""Upgrading from the document of 2026-11-26 (tests/fixtures/openapi-2026-11-26.yaml, the one committed
before version 2026-11-28) breaks no existing client: every operation it lists is still there with the same
success status, and what today's server answers still matches that document's schemas."""

from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS31Validator

from service.http.openapi import build
from tests.api.conftest import VALID, validator

PREVIOUS = yaml.safe_load((Path(__file__).resolve().parents[1] / "fixtures" / "openapi-2026-11-26.yaml").read_text())
METHODS = ("get", "post", "put", "patch", "delete")
# Fields added since that document, as the contract allows (a field may appear): the only ones an answer may carry
# beyond what that document lists. `metadata`: a recommendation's `profile.metadata` and a weight profile's own.
ADDED_SINCE = {"metadata"}


class _Old:
    """A validator of the previous document's component that first drops the fields added since (at any depth)."""

    def __init__(self, component):
        self.validator = validator(PREVIOUS, component)

    def validate(self, answer):
        self.validator.validate(_as_then(answer))


def _as_then(value):
    if isinstance(value, dict):
        return {key: _as_then(item) for key, item in value.items() if key not in ADDED_SINCE}
    if isinstance(value, list):
        return [_as_then(item) for item in value]
    return value


def _old(component):
    return _Old(component)


def _old_response(path, method, status="200"):
    media = PREVIOUS["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return OAS31Validator({**media, "components": PREVIOUS["components"]})


def test_every_previous_operation_is_still_there_with_its_success_status(app):
    today = build(app)["paths"]
    for path, item in PREVIOUS["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert method in today[path], (method, path)
            was = {status for status in operation["responses"] if status.startswith("2")}
            now = {status for status in today[path][method]["responses"] if status.startswith("2")}
            assert was == now, (method, path, was, now)
            assert today[path][method]["operationId"] == operation["operationId"]
            required = {p["name"] for p in operation.get("parameters", []) if p.get("required")}
            assert required <= {p["name"] for p in today[path][method].get("parameters", []) if p.get("required")}


@pytest.mark.parametrize("model_version", [1, 2])
def test_todays_answers_still_match_the_previous_schemas(client, anonymous, model_version):
    weights = client.post("/v1/weight-profiles", json={"name": "Ours", "model_version": model_version}).get_json()
    _old("WeightProfile").validate(weights)
    profile = {**VALID, "priorities": ["scale", "growth"], "planned_hires": 5, "weight_profile_id": weights["id"]}
    created = client.post("/v1/recommendations", json=profile).get_json()
    _old("Recommendation").validate(created)
    _old("Recommendation").validate(client.get(f"/v1/recommendations/{created['id']}").get_json())
    _old("RecommendationPreview").validate(client.post("/v1/recommendations/preview", json=profile).get_json())
    _old("RecommendationPage").validate(client.get("/v1/recommendations").get_json())
    _old("BatchResult").validate(client.post("/v1/recommendations/batch", json={
        "items": [profile, {**VALID, "stage": "series_z"}]}).get_json())
    _old("WeightProfilePage").validate(client.get("/v1/weight-profiles").get_json())
    _old("SimulationResult").validate(client.post("/v1/simulations", json={"weight_profile_id": weights["id"]})
                                      .get_json())
    _old("ModelCard").validate(anonymous.get("/v1/model").get_json())
    _old("Problem").validate(client.post("/v1/recommendations", json={"stage": 1}).get_json())
    _old_response("/problems/{code}", "get").validate(anonymous.get("/problems/unsupported_version").get_json())


def test_every_request_example_of_the_previous_document_still_succeeds(client):
    """What a client built from the previous document sends (its documented examples) is still accepted."""
    made = client.post("/v1/weight-profiles", json={"name": "For the old examples"}).get_json()["id"]
    old_example_id = "wp_01jdk5m7c2v8q4x6r9t3w0y1zb"  # the previous document's example weight profile
    sent = 0
    for path, item in PREVIOUS["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            for name, example in content["examples"].items():
                url = path.replace("{profile_id}", made)
                body = yaml.safe_load(yaml.safe_dump(example["value"]).replace(old_example_id, made))
                answer = client.open(url, method=method.upper(), json=body)
                assert 200 <= answer.status_code < 300, (method, path, name, answer.get_json())
                sent += 1
    assert sent >= 10
