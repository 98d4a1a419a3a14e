"""The OpenAPI document: generated from the code, valid 3.1, complete, committed."""

import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from service.http.examples import EXAMPLE_WEIGHT_PROFILE_ID
from service.http.openapi import build, to_yaml
from tests.api.conftest import VALID, validator

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"
ERROR_STATUSES = {"400", "404", "405", "413", "415", "422", "500", "503"}


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_committed_openapi_yaml_is_current(app):
    assert COMMITTED.read_text(encoding="utf-8") == to_yaml(build(app)), "stale openapi.yaml: run `make openapi`"


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_served_json_and_yaml_are_the_same_document(client, spec):
    assert client.get("/openapi.json").get_json() == spec
    response = client.get("/openapi.yaml")
    assert response.mimetype == "application/yaml"
    assert yaml.safe_load(response.get_data(as_text=True)) == spec


def test_every_operation_has_a_summary_and_an_id(spec):
    for path, method, operation in operations(spec):
        assert operation["summary"], (path, method)
        assert operation["operationId"], (path, method)


def test_every_request_body_has_examples_that_validate(client, spec):
    # Examples name an example weight profile; make a real one to stand in for it.
    real = client.post("/v1/weight-profiles", json={"name": "stands in for the example"}).get_json()["id"]
    recommendation = client.post("/v1/recommendations", json=VALID).get_json()["id"]  # and for an example's `id`
    endpoint = client.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/h",
                                                          "event_types": ["recommendation.created"]}).get_json()["id"]
    for path, method, operation in operations(spec):
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]
            examples = content["application/json"]["examples"]
            assert examples, (path, method)
            target = path.replace("{profile_id}", real).replace("{id}", recommendation).replace(
                "{external_id}", "REQ-1042").replace("{endpoint_id}", endpoint)
            for example in examples.values():
                body = json.loads(json.dumps(example["value"]).replace(EXAMPLE_WEIGHT_PROFILE_ID, real))
                response = client.open(target, method=method.upper(), json=body)
                assert response.status_code in (200, 201), (path, example, response.get_json())
            if "text/csv" in content:
                response = client.post(target, data=content["text/csv"]["example"], content_type="text/csv")
                assert response.status_code == 200 and response.get_json()["failed"] == 0, path


def test_every_error_response_has_a_problem_example(spec):
    for _, _, operation in operations(spec):
        for status, answer in operation["responses"].items():
            if status in ERROR_STATUSES:
                name = answer["$ref"].rsplit("/", 1)[1]
                content = spec["components"]["responses"][name]["content"]["application/problem+json"]
                assert content["example"]["status"] == int(status)


def test_the_contract_operations_are_documented(spec):
    documented = {(path, method) for path, method, _ in operations(spec)}
    assert {
        ("/v1/recommendations", "post"),
        ("/v1/recommendations/preview", "post"),
        ("/v1/recommendations", "get"),
        ("/v1/recommendations/{id}", "get"),
        ("/v1/recommendations/{id}", "delete"),
        ("/openapi.json", "get"),
        ("/openapi.yaml", "get"),
    } <= documented


def test_live_responses_match_the_documented_schemas(client, spec):
    created = client.post("/v1/recommendations", json={**VALID, "planned_hires": 3, "priorities": ["scale"]})
    validator(spec, "Recommendation").validate(created.get_json())
    preview = client.post("/v1/recommendations/preview", json=VALID).get_json()
    validator(spec, "RecommendationPreview").validate(preview)
    validator(spec, "RecommendationPage").validate(client.get("/v1/recommendations").get_json())
    problem = client.post("/v1/recommendations", json={"stage": 1}).get_json()
    validator(spec, "Problem").validate(problem)


def test_documented_examples_match_their_schemas(spec):
    media = spec["paths"]["/v1/recommendations"]["post"]["responses"]["201"]["content"]["application/json"]
    validator(spec, "Recommendation").validate(media["example"])
    for answer in spec["components"]["responses"].values():
        validator(spec, "Problem").validate(answer["content"]["application/problem+json"]["example"])


def test_stored_recommendations_document_their_id_and_creation_time(spec):
    required = spec["components"]["schemas"]["Recommendation"]["required"]
    assert {"id", "created_at"} <= set(required)
    assert "id" not in spec["components"]["schemas"]["RecommendationPreview"]["properties"]


def test_query_parameters_are_never_documented_as_null_but_a_cursor(spec):
    """A query string cannot carry null. Only a paging cursor is documented nullable, so that a typed client
    can pass `next_cursor` (null on the last page) straight back: generated clients leave null out."""
    for _, _, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:  # the Hiremix-Version header: a named enum
                continue
            schema = parameter["schema"]
            if parameter["name"] == "cursor":
                assert schema["type"] == ["string", "null"] and "left out" in parameter["description"]
                continue
            assert "null" not in str(schema.get("type")) and None not in schema.get("enum", []), parameter


def test_a_validator_rejects_a_wrong_document(spec):
    with pytest.raises(Exception):
        validator(spec, "Recommendation").validate({"recommendation": "maybe"})


def _walk(node, path=""):
    """Every (path, mapping) in a document tree, skipping examples (they are values, not schemas)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_bodies_declare_no_default_at_any_depth(spec):
    """A default makes openapi-typescript treat an optional field as always there; optional means absent or
    null, and the description says what absent means."""
    found = [path for path, node in _walk(spec["components"]["schemas"]) if "default" in node
             and "/properties/default" not in path]
    assert found == []


def test_every_enum_is_a_named_component_used_by_reference(spec):
    named = {name for name, schema in spec["components"]["schemas"].items() if "enum" in schema}
    inline = [path for path, node in _walk(spec) if "enum" in node
              and path.rpartition("/")[0] != "/components/schemas"]
    assert inline == [] and len(named) >= 16
    values = [tuple(spec["components"]["schemas"][name]["enum"]) for name in named]
    assert len(set(values)) == len(values), "the same enum named twice"


def test_security_is_declared_once_and_scopes_are_words(spec):
    assert spec["security"] == [{"bearerAuth": []}, {"basicAuth": []}]
    assert spec["components"]["parameters"]["HiremixVersion"]["name"] == "Hiremix-Version"
    assert spec["servers"] == [{"url": "/", "description": "The server this document was fetched from."}]
    for path, method, operation in operations(spec):
        if "x-hiremix-scope" in operation:
            assert "security" not in operation and f"`{operation['x-hiremix-scope']}`" in operation["description"]
        else:
            assert operation["security"] == [], (method, path)
        assert operation["description"]
        assert {"$ref": "#/components/parameters/HiremixVersion"} in operation["parameters"]
        for status, answer in operation["responses"].items():
            if status.startswith("2"):
                assert len(answer.get("content", {})) <= 1, (method, path, status)
                assert "Hiremix-Version" in answer["headers"]


@pytest.mark.parametrize(("draft", "valid"), [
    ({"name": "x", "model_version": 1, "interactions": {}, "team_size_curve": {}}, True),
    ({"name": "x", "model_version": 1, "interactions": {"large_team_wants_speed": 0.5}}, False),
    ({"name": "x", "model_version": 1, "team_size_curve": {"midpoint": 30}}, False),
    ({"name": "x", "leans": {"team_size": {}}}, True),
    ({"name": "x", "leans": {"team_size": {"1-9": 0.5}}}, False),
    ({"name": "x", "model_version": 2, "leans": {"stage": {"seed": 0.5}}}, True),
])
def test_model_specific_parts_are_documented_as_the_server_treats_them(spec, client, draft, valid):
    """Model 1 has no interactions or curve, model 2 no team-size band leans; an empty one means nothing and
    is accepted, as it always was."""
    assert validator(spec, "WeightProfileCreate").is_valid(draft) is valid
    assert (client.post("/v1/weight-profiles", json=draft).status_code == 201) is valid
