"""Who is calling: API keys as Bearer tokens or as the Basic user name.

`@requires(scope)` marks a view as needing a key with that scope; the check
runs in a before_request hook, so the rate limiter that runs next already
knows the key. Views read the caller's tenant with `tenant_id()`.
"""

from __future__ import annotations

import base64

from flask import Flask, current_app, g, request

from service import keys
from service.errors import HiremixError
from service.http.apidoc import HTML, JSON, apidoc, preferred
from service.http.access_log import SECRET_IN_PATH
from service.http.limits import PER_ADDRESS, TooManyRefusals

CHALLENGE = 'Bearer realm="hiremix"'
BASIC_CHALLENGE = 'Basic realm="hiremix: your API key as the user name, no password", charset="UTF-8"'


class Unauthenticated(HiremixError):
    status = 401
    code = "unauthenticated"

    def __init__(self, detail: str, *, invalid: bool = False):
        super().__init__(detail)
        challenge = CHALLENGE + (', error="invalid_token"' if invalid else "")
        if preferred(JSON, HTML) == HTML:  # a browser: offer Basic first, so it asks for the key as a user name
            challenge = f'{BASIC_CHALLENGE}, {challenge}'
        self.headers = {"WWW-Authenticate": challenge, "Vary": "Accept"}


class Forbidden(HiremixError):
    status = 403
    code = "insufficient_scope"

    def __init__(self, scope: str):
        super().__init__(f"This API key lacks the scope '{scope}' that this operation needs.")
        self.headers = {"WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope", scope="{scope}"'}


def requires(scope: str):
    """Mark a view as needing an API key with `scope` (documented in OpenAPI too)."""
    assert scope in keys.SCOPES, scope

    def decorator(view):
        apidoc(view)["scope"] = scope
        return view

    return decorator


def public(view):
    """Mark a /v1 view as deliberately open to callers without a key."""
    apidoc(view)["public"] = True
    return view


def public_page(view):
    """Mark a page deliberately open to anyone who has its address, without a key (a share link's page).

    The key check leaves it alone, the OpenAPI document (the API's contract) leaves it out, the rate
    limiter counts its requests per client address, since there is no key to count them by, and the
    request log shows its route rather than its path, which holds the credential.
    """
    setattr(view, PER_ADDRESS, True)
    setattr(view, SECRET_IN_PATH, True)
    return view


def tenant_id() -> str:
    return g.principal.tenant_id


def key_id() -> str:
    """The calling key's id: who did it, in the audit log."""
    return g.principal.key_id


def register(app: Flask) -> None:
    @app.before_request
    def _authenticate():
        view = app.view_functions.get(request.endpoint or "")
        scope = getattr(view, "_apidoc", {}).get("scope")
        if scope is None or request.method == "OPTIONS":
            return
        runtime = current_app.extensions["hiremix"]
        address = request.remote_addr or "-"
        try:
            g.principal = _principal(runtime, address)
            if not g.principal.allows(scope):
                raise Forbidden(scope)
        except (Unauthenticated, Forbidden):
            runtime.refusals.count(address)
            raise


def _principal(runtime, address: str) -> keys.Principal:
    """The caller's key: a key this process found recently costs nothing; any other request first
    checks the address's budget of refused keys, then looks the key up in the database."""
    try:
        secret = _presented_key()
    except Unauthenticated:
        _within_budget(runtime, address)
        raise
    found = runtime.key_cache.known(secret)
    if found is not None:
        return found
    _within_budget(runtime, address)
    if runtime.settings.production and secret.startswith(keys.TEST_PREFIX):
        raise Unauthenticated(f"{keys.TEST_PREFIX} keys are for development; production takes only "
                              f"{keys.LIVE_PREFIX} keys.", invalid=True)
    found = runtime.key_cache.authenticate(secret, runtime.sessions)
    if found is None:
        raise Unauthenticated("The API key is unknown or revoked.", invalid=True)
    return found


def _within_budget(runtime, address: str) -> None:
    wait = runtime.refusals.seconds_to_wait(address)
    if wait is not None:
        raise TooManyRefusals(wait)


def _presented_key() -> str:
    header = request.headers.get("Authorization", "").strip()
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if not header:
        raise Unauthenticated(
            "Send an API key: 'Authorization: Bearer <key>', or HTTP Basic with the key as the user name (curl -u KEY:)."
        )
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
        except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text
            raise Unauthenticated("The Basic credentials are not base64 of 'KEY:'.", invalid=True) from None
        if not user and password:
            raise Unauthenticated("Put the API key in the user name and leave the password empty (curl -u KEY:).",
                                  invalid=True)
        return user
    raise Unauthenticated("Use 'Authorization: Bearer <key>' or HTTP Basic with the key as the user name.",
                          invalid=True)
