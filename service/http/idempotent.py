"""`@idempotent`: honour an Idempotency-Key header on a POST view."""

from __future__ import annotations

import json
import re
from functools import wraps

from flask import Response, current_app, make_response, request

from service import idempotency
from service.errors import InvalidInput, field_error
from service.http.apidoc import apidoc, reject_constant, unique_keys
from service.http.security import tenant_id

REPLAYED = "Idempotent-Replayed"
# A usable key: 1 to 255 visible ASCII characters. The OpenAPI document carries this schema.
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
_KEY = re.compile(r"[!-~]{1,255}")


def well_formed_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def idempotent(view):
    """Replay the first 2xx response to the same key and request for 24 hours."""
    apidoc(view)["idempotent"] = True

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not well_formed_key(key):
            raise InvalidInput(
                f"The {idempotency.HEADER} header is not usable.",
                errors=[field_error("", "invalid_format",
                                    "Use 1 to 255 visible ASCII characters, such as a UUID.",
                                    header=idempotency.HEADER)],
            )
        sessions = current_app.extensions["hiremix"].sessions
        what = f"{request.method} {request.path}"
        print_ = idempotency.fingerprint(request.method, request.path, request.mimetype, _canonical_body())
        outcome = idempotency.claim(sessions, tenant_id(), key, print_, what)
        if isinstance(outcome, idempotency.Stored):
            headers = {REPLAYED: "true"}
            if outcome.location:
                headers["Location"] = outcome.location
            return Response(outcome.body, status=outcome.status, content_type=outcome.content_type, headers=headers)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            idempotency.release(sessions, outcome)
            raise
        if 200 <= response.status_code < 300:
            stored = idempotency.Stored(response.status_code, response.content_type, response.headers.get("Location"),
                                        response.get_data(as_text=True))
            idempotency.complete(sessions, outcome, stored)
        else:
            idempotency.release(sessions, outcome)
        return response

    return wrapper


def _canonical_body() -> bytes:
    """The body, with JSON normalised so key order and spacing do not make a request 'different'."""
    raw = request.get_data(cache=True)
    if request.is_json:
        try:
            parsed = json.loads(raw, object_pairs_hook=unique_keys, parse_constant=reject_constant)
            return json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
        except (ValueError, RecursionError):
            pass  # not JSON the view will accept: compare the bytes
    return raw
