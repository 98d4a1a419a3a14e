"""`@idempotent`: honour an Idempotency-Key header on a POST view."""

from __future__ import annotations

import json
import re
from functools import wraps

from flask import Response, current_app, make_response, request

from service import idempotency
from service.errors import InvalidInput, field_error
from service.http.apidoc import apidoc
from service.http.security import tenant_id

REPLAYED = "Idempotent-Replayed"
# A usable key: 1 to 255 visible ASCII characters. The OpenAPI document carries this schema.
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
_KEY = re.compile(r"[!-~]{1,255}")


def well_formed_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def idempotent(view):
    """Replay the first 2xx response to the same key and request for 24 hours.

    Goes under `@body`: the first argument is the validated payload, and requests are compared by it,
    so `6` and `6.0`, or `null` and a field left out, are the same request.
    """
    apidoc(view)["idempotent"] = True

    @wraps(view)
    def wrapper(payload, *args, **kwargs):
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return view(payload, *args, **kwargs)
        if not well_formed_key(key):
            raise InvalidInput(
                f"The {idempotency.HEADER} header is not usable.",
                errors=[field_error("", "invalid_format",
                                    "Use 1 to 255 visible ASCII characters, such as a UUID.",
                                    header=idempotency.HEADER)],
            )
        sessions = current_app.extensions["hiremix"].sessions
        what = f"{request.method} {request.path}"
        print_ = idempotency.fingerprint(request.method, request.path, canonical(payload))
        outcome = idempotency.claim(sessions, tenant_id(), key, print_, what)
        if isinstance(outcome, idempotency.Stored):
            headers = {REPLAYED: "true"}
            if outcome.location:
                headers["Location"] = outcome.location
            return Response(outcome.body, status=outcome.status, content_type=outcome.content_type, headers=headers)
        try:
            response = make_response(view(payload, *args, **kwargs))
        except BaseException:
            idempotency.release(sessions, outcome)
            raise
        answer = response.get_data(as_text=True) if 200 <= response.status_code < 300 else None
        if answer is not None and len(answer) <= idempotency.ANSWER_MAX_CHARS:
            stored = idempotency.Stored(response.status_code, response.content_type, response.headers.get("Location"),
                                        answer)
            idempotency.complete(sessions, outcome, stored)
        else:  # an error, or an answer too large to keep: a retry runs again
            idempotency.release(sessions, outcome)
        return response

    return wrapper


def canonical(payload) -> bytes:
    """The validated payload as canonical JSON: what makes two requests 'the same'."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain).encode()


def _plain(value):
    if hasattr(value, "raw"):  # an item of a batch refused on its own: compared as it was sent
        return {"refused": value.raw}
    raise TypeError(f"cannot compare a {type(value).__name__} in an idempotent request")
