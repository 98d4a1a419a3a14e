"""Decorators that make a view's contract readable and machine-checked.

`@body` and `@query` parse with a marshmallow schema (422 with per-field
errors on failure); `@response` and `@problems` only describe. Together they
are what the OpenAPI document is generated from, so the document and the
validation cannot drift apart.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import wraps
from urllib.parse import urlencode

from flask import Response, current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import RequestEntityTooLarge

from schemas.fields import split_message
from service.errors import HiremixError, InvalidInput, field_error
from service.json_text import to_json_bytes
from service.csvio import MalformedCsv
from service.http.problems import MalformedJson, UnsupportedMediaType

JSON = "application/json"
CSV = "text/csv"
HTML = "text/html"


def preferred(default: str, *others: str) -> str:
    """The media type Accept prefers among these (`default` on a tie or with no Accept);
    parameters such as `charset=utf-8` do not change the type asked for."""
    bare = MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in request.accept_mimetypes])
    return bare.best_match([default, *others], default=default)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def apidoc(view) -> dict:
    """The contract recorded on a view (shared by every wrapper of it)."""
    return view.__dict__.setdefault("_apidoc", {"problems": set()})


# Body limits per kind of operation: each fits the largest honest request with room to spare, and
# keeps what a hostile body of that size can cost a worker small. HIREMIX_MAX_BODY_BYTES caps them all.
PROFILE_BODY_MAX = 16 * 1024  # one profile, a weight profile: a few hundred bytes
BATCH_BODY_MAX = 256 * 1024  # 100 profiles, as JSON or CSV, even with every letter of a name escaped
SIMULATION_BODY_MAX = 512 * 1024  # 1,000 profiles


def body(schema: Schema, *, examples: dict[str, dict], max_bytes: int, csv: tuple | None = None,
         optional: bool = False):
    """Parse the JSON body with `schema` and pass the result as the first argument.

    A body over `max_bytes` (or HIREMIX_MAX_BODY_BYTES, if lower) is a 413 before it is read.
    `csv=(reader, example)` also accepts text/csv: `reader` turns the text into
    the payload `schema` loads; `example` documents it. `optional`: no body at all
    (zero bytes, whatever the Content-Type) is read as `{}`.
    """

    def decorator(view):
        apidoc(view)["body"] = (schema, examples)
        apidoc(view)["body_max"] = max_bytes
        apidoc(view)["body_optional"] = optional
        if csv is not None:
            apidoc(view)["body_csv"] = csv[1]

        @wraps(view)
        def wrapper(*args, **kwargs):
            ceiling = current_app.config.get("MAX_CONTENT_LENGTH")
            request.max_content_length = max_bytes if ceiling is None else min(max_bytes, ceiling)
            if optional and not request.get_data(cache=True):
                payload = {}
            elif csv is not None and request.mimetype == CSV:
                payload = csv[0](read_text(MalformedCsv, request.mimetype_params.get("charset")))
            else:
                payload = read_json(CSV if csv is not None else None)
            try:
                loaded = schema.load(payload)
            except ValidationError as error:
                raise invalid("body", error.messages) from None
            return view(loaded, *args, **kwargs)

        return wrapper

    return decorator


def query(schema: Schema):
    """Parse the query string with `schema` and pass the result as the first argument.

    A field documented with OpenAPI's `style: deepObject` (its OPENAPI_PARAMETER says so) takes the
    parameters `name[key]=value` gathered into one object `name`, which the field then validates.
    """
    deep = {name for name, field in schema.fields.items()
            if getattr(field, "OPENAPI_PARAMETER", {}).get("style") == "deepObject"}

    def decorator(view):
        apidoc(view)["query"] = schema

        @wraps(view)
        def wrapper(*args, **kwargs):
            payload, objects, repeated = {}, {}, []
            for name in request.args:
                values = request.args.getlist(name)
                base = name.partition("[")[0]
                if base in deep and name != base and name.endswith("]"):
                    key = name[len(base) + 1:-1]
                    objects.setdefault(base, {})[key] = values[0]
                    where = (f"/{base}/{_escape(key)}", base)
                else:
                    payload[name] = values[0]
                    where = (f"/{_escape(name)}", shown_name(name))
                if len(values) > 1:
                    repeated.append(where)
            if repeated:
                raise InvalidInput(
                    "A query parameter was given more than once.",
                    errors=[
                        field_error(pointer, "repeated_parameter", "Give this parameter once.", parameter=parameter)
                        for pointer, parameter in repeated
                    ],
                )
            for base, entries in objects.items():
                payload.setdefault(base, entries)  # beside a plain `name=...`, that one is checked (and refused)
            try:
                loaded = schema.load(payload)
            except ValidationError as error:
                raise invalid("query", error.messages) from None
            return view(loaded, *args, **kwargs)

        return wrapper

    return decorator


def response(status: int, description: str, *, schema=None, example=None, headers=None, media_type=JSON,
             links=None, conditional=False, also=None):
    """Describe the success response (one media type); `schema` is a marshmallow schema or a JSON Schema dict.

    `links` maps a name to (an operationId, its parameters from this response): what a client can do next.
    `conditional`: the answer has a strong ETag and `If-None-Match` can make it 304.
    `also` maps another success status to its description: the same body, without a `Location` header.
    """

    def decorator(view):
        apidoc(view)["response"] = {
            "status": status,
            "description": description,
            "schema": schema,
            "example": example,
            "headers": headers or {},
            "media_type": media_type,
            "conditional": conditional,
            "links": links or {},
            "also": also or {},
        }
        return view

    return decorator


def path_parameter(name: str, description: str, *, example: str | None = None, **schema):
    """Narrow a path parameter for this operation alone (the path's other operations keep the general form)."""

    def decorator(view):
        parameter = {"description": description, "schema": {"type": "string", **schema}}
        if example is not None:
            parameter["example"] = example
        apidoc(view).setdefault("path", {})[name] = parameter
        return view

    return decorator


def problems(*statuses: int):
    """Describe the problem responses a view can give besides 500."""

    def decorator(view):
        apidoc(view)["problems"].update(statuses)
        return view

    return decorator


NEXT_PAGE_HEADER = {"Link": {"description": 'The next page, `<url>; rel="next"`, while there is one.',
                             "schema": {"type": "string"}}}


def next_page_headers(next_cursor: str | None) -> dict:
    """`Link: <this very URL with cursor=next_cursor>; rel="next"` while there is a next page (filters kept)."""
    if not next_cursor:
        return {}
    args = {**request.args.to_dict(), "cursor": next_cursor}
    return {"Link": f'<{request.base_url}?{urlencode(args)}>; rel="next"'}


def page_response(data: list, next_cursor: str | None) -> Response:
    """One page of a cursor-paginated list, with its `Link` to the next."""
    return json_response({"data": data, "has_more": next_cursor is not None, "next_cursor": next_cursor}, 200,
                         next_page_headers(next_cursor))


def json_response(body: str | dict, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response from an already serialised body or a dict."""
    text = body if isinstance(body, str) else to_json_bytes(body)
    return Response(text, status=status, mimetype=JSON, headers=headers)


def read_text(malformed: type[HiremixError] = None, charset: str | None = None) -> str:
    """The request body as text in `charset` (UTF-8 by default): 413 beyond the size limit, 400 when undecodable."""
    malformed = malformed or MalformedJson
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body has no Content-Length; werkzeug stops reading at the limit.
        raise RequestEntityTooLarge()
    encoding = "utf-8-sig" if charset in (None, "") or charset.lower().replace("_", "-") in ("utf-8", "utf8") \
        else charset
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise UnsupportedMediaType(f"The charset {_shown(charset)} is unknown; send UTF-8.") from None
    # Python also names transforms (base64, rot13, zlib...) and escapes (punycode, utf-7) codecs: not charsets.
    if not codec._is_text_encoding or codec.name in _NOT_CHARSETS:
        raise UnsupportedMediaType(f"The charset {_shown(charset)} is not a text encoding; send UTF-8.")
    try:
        text = raw.decode(encoding)
    except (UnicodeError, ValueError):
        raise malformed(f"The request body is not {_shown(charset or 'UTF-8')} text.") from None
    if _SURROGATE.search(text):
        raise malformed(f"The request body, read as {_shown(charset or 'UTF-8')}, holds a lone UTF-16 surrogate, "
                        "which is not text.")
    return text


_NOT_CHARSETS = {"punycode", "idna", "utf-7", "raw-unicode-escape", "unicode-escape", "undefined"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(charset: str) -> str:
    """A charset name the caller sent, quoted and cut short: never an unbounded echo."""
    return repr(charset if len(charset) <= 40 else charset[:40] + "\u2026")


def read_json(alternative: str | None = None):
    """The request body as JSON: 415 for another media type, 400 when it is not JSON."""
    mimetype = request.mimetype
    if mimetype != JSON and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        shown = request.content_type or "none"
        wanted = f"{JSON} or {alternative}" if alternative else JSON
        raise UnsupportedMediaType(f"Send the body as {wanted}; the Content-Type was {shown}.")
    text = read_text()
    if not text.strip():
        raise MalformedJson("The request body is empty; send a JSON object.")
    try:
        payload = json.loads(text, object_pairs_hook=unique_keys, parse_constant=reject_constant)
        if _ESCAPED_SURROGATE.search(text):
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return payload
    except UnicodeEncodeError:
        raise MalformedJson("The body escapes a lone UTF-16 surrogate (such as \\ud800), which is not text.") from None
    except _NotPlainJson as error:
        raise MalformedJson(str(error)) from None
    except json.JSONDecodeError as error:
        raise MalformedJson(f"The body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}.") from None
    except (ValueError, RecursionError):
        raise MalformedJson("The body is not JSON this service can read (too deep or a number too long).") from None


def invalid(location: str, messages) -> InvalidInput:
    """A 422 listing marshmallow's messages with their pointers and codes (the problem keeps the first
    ERROR_BUDGET of them; the detail names the first few fields)."""
    errors = []
    for path, message in _flatten(messages, ()):
        code, text = split_message(message)
        pointer = "".join("/" + _escape(part) for part in path)
        parameter = shown_name(path[0]) if location == "query" and path else None
        errors.append(field_error(pointer, code, text, parameter=parameter))
    where = "query parameter" if location == "query" else "field"
    pointers = sorted({e["pointer"] or "(the body)" for e in errors})
    count = len(pointers)
    names = ", ".join(pointers[:_NAMED_IN_DETAIL])
    if count > _NAMED_IN_DETAIL:
        names += f" and {count - _NAMED_IN_DETAIL} more"
    detail = f"{count} {where}{'s' if count != 1 else ''} did not validate: {names}."
    return InvalidInput(detail, errors=errors)


_NAMED_IN_DETAIL = 10
_POINTER_PART_MAX = 64  # a name the caller made up is echoed this far, no further


def _flatten(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, path if key == "_schema" else (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _flatten(item, path) if isinstance(item, (dict, list)) else [(path, item)]
    else:
        yield path, node


def _escape(part: str) -> str:
    return shown_name(part).replace("~", "~0").replace("/", "~1")


def shown_name(name: str) -> str:
    """A name the caller made up, as far as it is echoed: at most 64 characters, and at most 64 bytes once
    JSON has escaped it (an emoji is 12), then an ellipsis."""
    cut = name[:_POINTER_PART_MAX]
    while len(json.dumps(cut)) - 2 > _POINTER_PART_MAX:
        cut = cut[:-1]
    return name if cut == name else cut + "\u2026"


class _NotPlainJson(ValueError):
    """JSON that Python reads but RFC 8259 forbids or leaves ambiguous."""


def unique_keys(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: only then look for the repeated key
        seen = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _NotPlainJson(f"The JSON object has the key '{shown_name(repeated)}' more than once.")
    return result


def reject_constant(name: str):
    raise _NotPlainJson(f"{name} is not a JSON value.")
