"""The hooks of the examples phase: a fresh Idempotency-Key per request, and no borrowed weight profile id.

Every documented example must work as written on a fresh server, so nothing else is adjusted. The key is
one exception: a client must send a new key for each new request, and the documented example, `{{$guid}}`,
is a Postman variable that Postman replaces on every send; schemathesis sends it as written, so each request
that carries a well-formed key gets a fresh one just before it is sent (a malformed key, a negative test, is
left as generated). Reuse is tested in tests/api.
"""

import uuid

import schemathesis

from service.http.examples import EXAMPLE_WEIGHT_PROFILE_ID
from service.http.idempotent import well_formed_key


def fresh_idempotency_key(case) -> None:
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and well_formed_key(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


def without_borrowed_weight_profile(case) -> None:
    """The other exception: schemathesis fills a profile field the example leaves out with a value from another
    operation's documented answer, and the weight profile id it finds there (EXAMPLE_WEIGHT_PROFILE_ID) exists
    only on the server that answered it. No documented request body names that id, so where it appears it was
    put there: it becomes the built-in profile, which every server has."""
    body = case.body
    if isinstance(body, dict) and body.get("weight_profile_id") == EXAMPLE_WEIGHT_PROFILE_ID:
        body["weight_profile_id"] = "wp_default"
        body.pop("weight_profile_version", None)


@schemathesis.hook
def before_call(context, case, kwargs):
    fresh_idempotency_key(case)
    without_borrowed_weight_profile(case)
