"""The OpenAPI 3.1 document, generated from the views' recorded contracts.

The same document is served at /openapi.json and /openapi.yaml and committed as
openapi.yaml (`make openapi`); a test fails when the committed file is stale.
"""

from __future__ import annotations

import re

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_instance
from flask import Blueprint, Flask, Response, current_app
from werkzeug.exceptions import NotFound

from schemas import ProblemSchema
from schemas.recommendation import FAVORS
from service.engine.catalogue import (BUSINESS_MODELS, CUSTOMER_ACCESS, INTERACTIONS_BY_NAME, PRIORITIES,
                                      PRODUCT_COMPLEXITIES, RECOMMENDATIONS, STAGES)
from service.engine.model import PRODUCT, SOFTWARE
from service.engine.weights import COMBINATIONS, MODEL_VERSIONS
from service.engine.writeback import RATINGS, SCORECARD_NAMES
from schemas.fields import CODES, PLAIN_TEXT_PATTERN
from schemas.audit import ACTOR_TYPES
from service.audit.log import ACTIONS
from service import __version__
from service.http.apidoc import CSV, JSON, json_response, problems, response
from service.http.conditional import ETAG_HEADER, IF_NONE_MATCH
from service.http.idempotent import KEY_SCHEMA
from service.http.versions import CURRENT, HEADER, VERSIONS
from service.http.problems import PROBLEM_JSON, PROBLEM_TYPES, problem_type
from service.http.requisitions import EXTERNAL_ID_IN_PATH
from service.ids import RECOMMENDATION_ID, SHARE_LINK_ID, WEBHOOK_DELIVERY_ID, WEBHOOK_ENDPOINT_ID, WEIGHT_PROFILE_ID
from service.webhooks import EVENT_TYPES
from service.webhooks import apidoc as webhook_events
from schemas.webhooks import DELIVERY_STATUSES

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

**Keys.** Every `/v1` operation but `GET /v1/model` needs an API key, sent as
`Authorization: Bearer <key>` or as the HTTP Basic user name with an empty
password (`curl -u KEY:`). Each key belongs to a tenant and sees only that
tenant's data; another tenant's id answers 404. Keys carry scopes
(`recommendations:read`, `recommendations:write`, `weight_profiles:read`,
`weight_profiles:write`, `webhooks:manage`, `audit:read`, `admin`); each
operation names the one it needs.

**Try it here.** On this server's `/docs` page, **Authorize** takes your key
and **Try it out** sends each call to this server.

**Limits.** Each key has a request budget (600 a minute unless the operator
set `HIREMIX_RATE_LIMIT`); every answer carries `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset`, and a 429 says when to retry in
`Retry-After`.

**Retries.** Send an `Idempotency-Key` with any POST that stores something
and retry freely: the first successful answer is replayed for 24 hours.
Requests are compared after validation, so `6` and `6.0`, or `null` and a
field left out, are the same request. Preview and simulations store nothing
and ignore the key: a repeat is simply evaluated again.
"""

_RESPONSE_NAMES = {400: "MalformedJson", 401: "Unauthenticated", 403: "InsufficientScope", 404: "NotFound",
                   409: "Conflict", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
                   422: "ValidationFailed", 429: "RateLimited", 500: "InternalError", 503: "DatabaseUnavailable"}
_SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "`Authorization: Bearer hk_test_...`: an API key from `flask --app service keys "
                                  "create`. Operations list the scope they need."},
    "basicAuth": {"type": "http", "scheme": "basic",
                  "description": "HTTP Basic with the API key as the user name and an empty password "
                                 "(`curl -u KEY:`)."},
}
_SECONDS = {"type": "integer", "minimum": 0}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"description": "Requests allowed per window for this API key.", "schema": _SECONDS},
    "RateLimit-Remaining": {"description": "Requests left in the current window.", "schema": _SECONDS},
    "RateLimit-Reset": {"description": "Seconds until the window resets.", "schema": _SECONDS},
}
_REQUEST_ID_HEADER = {"X-Request-Id": {"description": "Your X-Request-Id when it was usable, else a new one; "
                                                      "quote it when reporting a problem.",
                                       "schema": {"type": "string"}}}
_VERSION_HEADER = {HEADER: {"description": f"The dated contract version this answer follows: the request's own "
                                           f"`{HEADER}` when it sent one, else the newest ({CURRENT}). "
                                           f"Served: {', '.join(VERSIONS)}.", "required": True,
                             "schema": {"$ref": "#/components/schemas/ApiVersion"}}}
_IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Any unique string (a UUID, say), 1 to 255 visible ASCII characters. The first 2xx answer "
                   "is stored and replayed, with `Idempotent-Replayed: true`, to every retry with the same key "
                   "and the same request (compared after validation) for 24 hours. The same key with a different "
                   "request is a 422 `idempotency_key_reused`; a retry while the first is still running waits for "
                   "its answer. An answer over 2 MiB is not kept, so its retry runs again. The example, "
                   "`{{$guid}}`, is Postman's fresh UUID on every send (and /docs does the same): a fixed example "
                   "key, copied into every request by a tool, would be a reused key.",
    "example": "{{$guid}}",
    "schema": KEY_SCHEMA,
}
_REPLAYED_HEADER = {"Idempotent-Replayed": {"description": "`true` when this is the stored answer to an "
                                                          "earlier request with the same Idempotency-Key.",
                                            "schema": {"$ref": "#/components/schemas/IdempotentReplayed"}}}
_VALIDATION_EXAMPLE_ERRORS = [
    {"pointer": "/stage", "code": "invalid_choice",
     "message": "Must be one of: pre_seed, seed, series_a, series_b, series_c, growth, public."},
    {"pointer": "/team_size", "code": "invalid_type", "message": "Expected an integer."},
]


# Every enum the document uses, named once in components: a generated client gets one type per enum
# (one `Stage`, one `Verdict`), however many fields and parameters use it.
NAMED_ENUMS = {
    "Stage": ("string", STAGES, "Funding stage of the company."),
    "ProductComplexity": ("string", PRODUCT_COMPLEXITIES, "How technically demanding the product is."),
    "BusinessModel": ("string", BUSINESS_MODELS, "How the company makes money."),
    "Priority": ("string", PRIORITIES, "What the next hires should most help with."),
    "CustomerAccess": ("string", CUSTOMER_ACCESS, "Whether engineers can talk to customers."),
    "Verdict": ("string", RECOMMENDATIONS, "Which engineers to hire next."),
    "Favors": ("string", FAVORS, "Which way a contribution pushes the answer."),
    "Role": ("string", (PRODUCT, SOFTWARE), "A kind of engineer to hire."),
    "InteractionName": ("string", tuple(INTERACTIONS_BY_NAME), "A combination of factors the model counts."),
    "ScorecardFactor": ("string", tuple(SCORECARD_NAMES), "The key of a scorecard item: a profile factor."),
    "Rating": ("string", RATINGS, "A Greenhouse-style scorecard rating, worst to best."),
    "ModelVersion": ("integer", tuple(COMBINATIONS), "Which model combines the factors: 1 or 2."),
    "Combination": ("string", tuple(MODEL_VERSIONS), "How a model turns contributions into an answer."),
    "BatchItemStatus": ("integer", (201, 422), "201 stored, 422 refused."),
    "AuditAction": ("string", ACTIONS, "What an audit event tells: `<object>.<what happened>`."),
    "AuditActorType": ("string", ACTOR_TYPES, "Who acted: a call with an API key, or an operator's command."),
    "WebhookEventType": ("string", EVENT_TYPES, "An event a webhook endpoint can subscribe to."),
    "DeliveryStatus": ("string", DELIVERY_STATUSES, "pending: being sent or retried; succeeded: a 2xx came back; "
                                                    "failed: the retries ran out (or the endpoint was disabled)."),
}
_ENUM_NAMES = {values: name for name, (_type, values, _description) in NAMED_ENUMS.items()}
if len(_ENUM_NAMES) != len(NAMED_ENUMS):
    raise ValueError("two named enums have the same values: a field could not tell them apart")
_ENUM_COMPONENTS = {name: {"type": kind, "enum": list(values), "description": description}
                    for name, (kind, values, description) in NAMED_ENUMS.items()}


class _Converter(OpenAPIConverter):
    """Also emits a schema's `OPENAPI_EXTRA`: rules across fields (such as "one of these two") that fields
    alone cannot state, so the document promises exactly what validation enforces. Enums become
    references to their named component."""

    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        jsonschema.update(getattr(resolve_schema_instance(schema), "OPENAPI_EXTRA", {}))
        return jsonschema

    def init_parameter_attribute_functions(self):
        super().init_parameter_attribute_functions()  # and a field's own parameter keywords (deepObject style)
        self.parameter_attribute_functions.append(lambda field, **kwargs: getattr(field, "OPENAPI_PARAMETER", {}))

    def field2property(self, field):
        prop = super().field2property(field)
        prop.update(getattr(field, "OPENAPI_EXTRA", {}))  # what apispec does not copy (propertyNames)
        if "enum" not in prop:
            return prop
        values = tuple(value for value in prop["enum"] if value is not None)
        name = _ENUM_NAMES.get(values)
        if name is None:
            raise ValueError(f"the enum {values!r} has no name in NAMED_ENUMS: name it once there")
        rest = {key: value for key, value in prop.items() if key not in ("type", "enum")}
        reference = {"$ref": f"#/components/schemas/{name}"}
        if None in prop["enum"]:  # optional and nullable: the enum or null
            return {"anyOf": [reference, {"type": "null"}], **rest}
        return {**reference, **rest}


class _Plugin(MarshmallowPlugin):
    Converter = _Converter


def build(app: Flask) -> dict:
    """The OpenAPI document of every documented view of `app`."""
    spec = APISpec(
        title="hiremix",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[_Plugin()],
        info={"description": DESCRIPTION, "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
              "contact": {"name": "hiremix maintainers"}},
        # Most operations need a key; those that do not say `security: []`. Declared once here, so tools
        # that import the document (Postman) set the key once, on the whole collection.
        security=[{name: []} for name in _SECURITY_SCHEMES],
        tags=[
            {"name": "recommendations",
             "description": "Evaluate, store, list, export and erase recommendations, one or a batch at a time."},
            {"name": "model", "description": "The model card: factors, values, leans, weights and evidence."},
            {"name": "weight_profiles",
             "description": "Your own weights: create, add immutable versions, list and fetch."},
            {"name": "simulations", "description": "Replay recommendations under draft weights; nothing is stored."},
            {"name": "requisitions",
             "description": "One current answer per requisition (your `external_id`), with the earlier ones as "
                            "history."},
            {"name": "webhook_endpoints",
             "description": "Where events go: endpoints, their signing secrets, deliveries and re-sends. The "
                            "events themselves are in the `webhooks` section."},
            {"name": "share_links",
             "description": "Links that open a recommendation's page without a key, until they expire or are "
                            "revoked."},
            {"name": "audit", "description": "Who changed what, and when: the audit log of your keys."},
            {"name": "meta", "description": "This document and the problem types."},
            {"name": "operations", "description": "Health, readiness and Prometheus metrics, for operators."},
        ],
        # Relative: the server that serves this document (`make run`, a container, behind a proxy).
        servers=[{"url": "/", "description": "The server this document was fetched from."}],
    )
    for name, component in _ENUM_COMPONENTS.items():
        spec.components.schema(name, component)
    spec.components.schema("ApiVersion", {"type": "string", "enum": list(VERSIONS),
                                          "description": "A dated contract version (CHANGELOG.md), oldest first."})
    spec.components.parameter("HiremixVersion", "header", {
        "name": HEADER,
        "description": f"Pin the dated contract version your code was written against (CHANGELOG.md); left out: "
                       f"the newest, {CURRENT}. Another value is a 400 `unsupported_version`.",
        "required": False, "schema": {"$ref": "#/components/schemas/ApiVersion"}, "example": CURRENT})
    spec.components.schema("IdempotentReplayed", {"type": "string", "enum": ["true"],
                                                  "description": "Present, and `true`, only on a replayed answer."})
    spec.components.schema("Problem", schema=ProblemSchema)
    for name, scheme in _SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for status, name in _RESPONSE_NAMES.items():
        spec.components.response(name, _problem_response(status))
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        contract = getattr(view, "_apidoc", None)
        if contract is None:
            continue
        path = re.sub(r"<(?:[^<>:]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, contract)
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path], parameters=_path_parameters(path))
    events = webhook_events.section(spec)  # registers the payload schemas: before to_dict
    document = spec.to_dict()
    document["webhooks"] = events
    for schema in document["components"]["schemas"].values():
        _without_defaults(schema)
    return document


def _without_defaults(schema) -> None:
    """Request and response bodies state no `default`, at any depth: optional means absent or null, and a
    default would make generators (openapi-typescript) treat the field as always present. Each description
    says what a field left out means. Query parameters keep theirs (`limit`)."""
    if isinstance(schema, list):
        for item in schema:
            _without_defaults(item)
        return
    if not isinstance(schema, dict):
        return
    if "default" in schema:
        default = schema.pop("default")
        if default is not None and "default" not in schema.get("description", "").lower():
            raise ValueError(f"a field with the default {default!r} must say so in its description")
    for key, value in schema.items():
        if key not in ("enum", "const", "example", "examples", "required"):
            _without_defaults(value if key != "properties" else list(value.values()))


_TOP_LEVEL_ORDER = ("openapi", "info", "servers", "tags", "paths", "webhooks", "components")


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
    parameters = [{"name": name, "in": "path", "required": True, **parameter}
                  for name, parameter in contract.get("path", {}).items()]
    if "query" in contract:
        parameters.append({"in": "query", "schema": contract["query"]})
    if contract.get("idempotent"):
        parameters.append(_IDEMPOTENCY_PARAMETER)
    parameters.append("HiremixVersion")  # a reference to the component
    if parameters:
        operation["parameters"] = parameters
    if "body" in contract:
        schema, examples = contract["body"]
        content = {JSON: {"schema": schema, "examples": examples}}
        if "body_csv" in contract:
            content[CSV] = {"schema": {"type": "string", "description": "A header row of profile field names, "
                                                                        "then one profile per row."},
                            "example": contract["body_csv"]}
        limit = contract["body_max"] // 1024
        operation["requestBody"] = {"required": not contract.get("body_optional"), "content": content,
                                    "description": f"At most {limit} KiB: a larger body is refused with 413 before "
                                                   "it is read. A 422 lists at most 50 errors (`errors_omitted` "
                                                   "counts those found beyond them)."}
    scope = contract.get("scope")
    extra = set()
    if scope is None:
        operation["security"] = []  # no key needed
    else:
        # The key's scope is in words and in `x-hiremix-scope`: OpenAPI's scopes belong to OAuth 2 schemes.
        operation["x-hiremix-scope"] = scope
        operation["description"] = (operation.get("description", "") + f" Needs the scope `{scope}`.").strip()
        extra = {401, 403, 429, 503}  # keys are looked up in the database
    extra.add(400)  # an unknown Hiremix-Version, on any operation
    if contract.get("idempotent"):
        extra.add(409)
    success = contract["response"]
    answer = {"description": success["description"]}
    if success["schema"] is not None:
        media = {"schema": success["schema"]}
        example = success["example"]
        if example is not None:
            media["example"] = example() if callable(example) else example
        answer["content"] = {success["media_type"]: media}
    headers = {**success["headers"], **_REQUEST_ID_HEADER, **_VERSION_HEADER}
    if success["conditional"]:
        headers.update(ETAG_HEADER)
        parameters.append(IF_NONE_MATCH)
        operation["parameters"] = parameters
        operation["responses"]["304"] = {"description": "Not modified: the copy whose ETag you sent is current.",
                                         "headers": {**ETAG_HEADER, **_REQUEST_ID_HEADER, **_VERSION_HEADER}}
    if scope is not None:
        headers.update(_RATE_LIMIT_HEADERS)
    if contract.get("idempotent"):
        headers.update(_REPLAYED_HEADER)
    answer["headers"] = headers
    if success["links"]:
        answer["links"] = {name: {"operationId": operation_id, "parameters": parameters}
                           for name, (operation_id, parameters) in success["links"].items()}
    operation["responses"][str(success["status"])] = answer
    for status, description in success.get("also", {}).items():  # the same body, without Location
        operation["responses"][str(status)] = {**answer, "description": description, "headers": {
            name: header for name, header in headers.items() if name != "Location"}}
    if success.get("also"):  # successes in order of status
        responses = operation["responses"]
        operation["responses"] = {**{key: responses[key] for key in sorted(responses) if key < "300"}, **responses}
    for status in sorted(contract["problems"] | extra | {500}):
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/{_RESPONSE_NAMES[status]}"}
    return operation


_PATH_PARAMETERS = {
    "id": {"schema": {"type": "string", "pattern": f"^{RECOMMENDATION_ID}$"}, "example": "rec_01jdk5m7c2v8q4x6r9t3w0y1za"},
    "code": {"schema": {"type": "string"}, "example": "validation_failed"},
    # The built-in profile: every server has it, so the example works on a fresh one.
    "profile_id": {"schema": {"type": "string", "pattern": f"^{WEIGHT_PROFILE_ID}$"}, "example": "wp_default"},
    "version": {"schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "example": 2},
    "external_id": {"schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": PLAIN_TEXT_PATTERN},
                    "example": "REQ-1042", "description": EXTERNAL_ID_IN_PATH},
    "share_link_id": {"schema": {"type": "string", "pattern": f"^{SHARE_LINK_ID}$"},
                      "example": "shl_01jdk5m7c2v8q4x6r9t3w0y1zf"},
    "endpoint_id": {"schema": {"type": "string", "pattern": f"^{WEBHOOK_ENDPOINT_ID}$"},
                    "example": "whe_01jdk5m7c2v8q4x6r9t3w0y1zc"},
    "delivery_id": {"schema": {"type": "string", "pattern": f"^{WEBHOOK_DELIVERY_ID}$"},
                    "example": "whd_01jdk5m7c2v8q4x6r9t3w0y1zd"},
}


def _path_parameters(path: str) -> list[dict]:
    return [
        {"name": name, "in": "path", "required": True, **_PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _problem_response(status: int) -> dict:
    codes = [c for c, (s, *_rest) in PROBLEM_TYPES.items() if s == status]
    code = codes[0]
    _status, title, description, detail = PROBLEM_TYPES[code]
    if len(codes) > 1:
        description += " Also, with its own `code`: " + " ".join(
            f"`{other}`: {PROBLEM_TYPES[other][2]}" for other in codes[1:])
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
    headers = {**_REQUEST_ID_HEADER, **_VERSION_HEADER}
    if status in (409, 429, 503):
        headers["Retry-After"] = {"description": "Seconds to wait before retrying.", "schema": _SECONDS}
    if status == 429:
        headers.update(_RATE_LIMIT_HEADERS)
    if status in (401, 403):
        headers["WWW-Authenticate"] = {"description": 'The scheme to use: `Bearer realm="hiremix"`, with '
                                                      "`error` and `scope` when a key was refused; a browser "
                                                      "(Accept preferring text/html) is offered `Basic` first.",
                                       "schema": {"type": "string"}}
    answer = {"description": description, "content": {PROBLEM_JSON: {"schema": "Problem", "example": example}}}
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
    """The OpenAPI 3.1 document as JSON.

    The contract this server follows, the same as the committed
    openapi.yaml: generate clients from it. Needs no key.
    """
    return json_response(document())


@bp.get("/openapi.yaml")
@response(200, "This OpenAPI document as YAML.", schema={"type": "object"}, media_type="application/yaml")
def openapi_yaml() -> Response:
    """The OpenAPI 3.1 document as YAML.

    The same document as /openapi.json, in YAML. Needs no key.
    """
    return Response(to_yaml(document()), mimetype="application/yaml")


@bp.get("/problems/<code>")
@response(200, "What a problem code means.", schema=_PROBLEM_TYPE_SCHEMA,
          example=lambda: _problem_type_description("not_found"))
@problems(404)
def problem_description(code: str) -> Response:
    """Describe a problem type (the `type` URI of every error).

    Every problem's `type` is this path with its `code`: the title, the
    status it comes with and what it means. Needs no key.
    """
    if code not in PROBLEM_TYPES:
        raise NotFound()
    return json_response(_problem_type_description(code))


def _problem_type_description(code: str) -> dict:
    status, title, description, _detail = PROBLEM_TYPES[code]
    payload = {"code": code, "status": status, "title": title, "description": description}
    if code == "validation_failed":
        payload["field_error_codes"] = CODES
    return payload
