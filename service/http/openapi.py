"""The OpenAPI 3.1 document, generated from the views' recorded contracts.

The same document is served at /openapi.json and /openapi.yaml and committed as
openapi.yaml (`make openapi`); a test fails when the committed file is stale.
"""

from __future__ import annotations

import re

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, current_app
from werkzeug.exceptions import NotFound

from schemas import ProblemSchema
from schemas.fields import CODES
from service import __version__
from service.http.apidoc import JSON, apidoc, json_response, problems, response
from service.http.problems import PROBLEM_JSON, PROBLEM_TYPES, problem_type
from service.ids import RECOMMENDATION_ID

bp = Blueprint("meta", __name__)

_PROBLEM_TYPE_SCHEMA = {
    "type": "object",
    "required": ["code", "status", "title", "description"],
    "properties": {
        "code": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "field_error_codes": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "For validation_failed: the code of each field error and its meaning.",
        },
    },
}

DESCRIPTION = """\
Should your next engineers be **product engineers** (customer-obsessed, ship
fast, own outcomes), **software engineers** (deep specialists who scale,
secure and optimise), or **both**? Post a company profile and get a weighted,
explained and reproducible recommendation.

Every result lists each factor's signed contribution in log-odds (positive
toward product engineers), a one-sentence reason per factor, a headcount split
of the planned hires, and the exact weight profile version and hash used.

Errors are `application/problem+json` (RFC 9457) with a stable `code`, the
`request_id`, and for 422 a list of `errors` with a JSON Pointer per field.
"""

_RESPONSE_NAMES = {400: "MalformedJson", 404: "NotFound", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
                   422: "ValidationFailed", 500: "InternalError", 503: "DatabaseUnavailable"}
_VALIDATION_EXAMPLE_ERRORS = [
    {"pointer": "/stage", "code": "invalid_choice",
     "message": "Must be one of: pre_seed, seed, series_a, series_b, series_c, growth, public."},
    {"pointer": "/team_size", "code": "invalid_type", "message": "Expected an integer."},
]


def build(app: Flask) -> dict:
    """The OpenAPI document of every documented view of `app`."""
    spec = APISpec(
        title="hiremix",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
        tags=[
            {"name": "recommendations", "description": "Evaluate, store, list and erase recommendations."},
            {"name": "meta", "description": "This document and the problem types."},
        ],
        servers=[{"url": "http://127.0.0.1:8000", "description": "`make run` on your machine"}],
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    for status, name in _RESPONSE_NAMES.items():
        spec.components.response(name, _problem_response(status))
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        contract = getattr(view, "_apidoc", None)
        if contract is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, contract)
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path], parameters=_path_parameters(path))
    return spec.to_dict()


_TOP_LEVEL_ORDER = ("openapi", "info", "servers", "tags", "paths", "components")


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so the committed file reads like prose."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def to_yaml(document: dict) -> str:
    ordered = {key: document[key] for key in _TOP_LEVEL_ORDER if key in document}
    ordered.update({key: value for key, value in document.items() if key not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _operation(rule, view, contract: dict) -> dict:
    summary, _, description = (view.__doc__ or rule.endpoint).strip().partition("\n")
    operation = {
        "operationId": rule.endpoint.rpartition(".")[2],
        "summary": summary.strip(),
        "tags": [rule.endpoint.partition(".")[0]],
        "responses": {},
    }
    if description.strip():
        operation["description"] = " ".join(description.split())
    if "query" in contract:
        operation["parameters"] = [{"in": "query", "schema": contract["query"]}]
    if "body" in contract:
        schema, examples = contract["body"]
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": schema, "examples": examples}}}
    success = contract["response"]
    answer = {"description": success["description"]}
    if success["schema"] is not None:
        media = {"schema": success["schema"]}
        example = success["example"]
        if example is not None:
            media["example"] = example() if callable(example) else example
        answer["content"] = {success["media_type"]: media}
    if success["headers"]:
        answer["headers"] = success["headers"]
    operation["responses"][str(success["status"])] = answer
    for status in sorted(contract["problems"] | {500}):
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/{_RESPONSE_NAMES[status]}"}
    return operation


_PATH_PARAMETERS = {
    "id": {"schema": {"type": "string", "pattern": f"^{RECOMMENDATION_ID}$"}, "example": "rec_01jdk5m7c2v8q4x6r9t3w0y1za"},
    "code": {"schema": {"type": "string"}, "example": "validation_failed"},
}


def _path_parameters(path: str) -> list[dict]:
    return [
        {"name": name, "in": "path", "required": True, **_PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _problem_response(status: int) -> dict:
    code = next(c for c, (s, *_rest) in PROBLEM_TYPES.items() if s == status)
    _status, title, description, detail = PROBLEM_TYPES[code]
    example = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/v1/recommendations",
        "code": code,
        "request_id": "8a3f5e0c2b1d4f6a9e7c5b3a1d2f4e6c",
    }
    if status == 422:
        example["errors"] = _VALIDATION_EXAMPLE_ERRORS
    headers = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}} if status == 503 else None
    answer = {"description": description, "content": {PROBLEM_JSON: {"schema": "Problem", "example": example}}}
    if headers:
        answer["headers"] = headers
    return answer


def document() -> dict:
    """The current app's document, built once."""
    runtime = current_app.extensions["hiremix"]
    if runtime.openapi is None:
        runtime.openapi = build(current_app)
    return runtime.openapi


@bp.get("/openapi.json")
@response(200, "This OpenAPI document as JSON.", schema={"type": "object"})
def openapi_json() -> Response:
    """The OpenAPI 3.1 document as JSON."""
    return json_response(document())


@bp.get("/openapi.yaml")
@response(200, "This OpenAPI document as YAML.", schema={"type": "string"}, media_type="application/yaml")
def openapi_yaml() -> Response:
    """The OpenAPI 3.1 document as YAML."""
    return Response(to_yaml(document()), mimetype="application/yaml")


@bp.get("/problems/<code>")
@response(200, "What a problem code means.", schema=_PROBLEM_TYPE_SCHEMA,
          example=lambda: _problem_type_description("not_found"))
@problems(404)
def problem_description(code: str) -> Response:
    """Describe a problem type (the `type` URI of every error)."""
    if code not in PROBLEM_TYPES:
        raise NotFound()
    return json_response(_problem_type_description(code))


def _problem_type_description(code: str) -> dict:
    status, title, description, _detail = PROBLEM_TYPES[code]
    payload = {"code": code, "status": status, "title": title, "description": description}
    if code == "validation_failed":
        payload["field_error_codes"] = CODES
    return payload
