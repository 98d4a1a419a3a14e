"""The one schemathesis hook of the examples phase: a fresh Idempotency-Key per request.

Every documented example must work as written on a fresh server, so nothing else is adjusted. The key is
the exception: a client must send a new key for each new request, and the documented example, `{{$guid}}`,
is a Postman variable that Postman replaces on every send; schemathesis sends it as written, so each request
that carries a well-formed key gets a fresh one just before it is sent (a malformed key, a negative test, is
left as generated). Reuse is tested in tests/api.
"""

import uuid

import schemathesis

from service.http.idempotent import well_formed_key


def fresh_idempotency_key(case) -> None:
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and well_formed_key(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


@schemathesis.hook
def before_call(context, case, kwargs):
    fresh_idempotency_key(case)
