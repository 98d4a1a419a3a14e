"""Signing in with a pasted API key, and out.

Whatever is pasted around the key is tolerated (`export HIREMIX_KEY=hk_test_...`, quotes, a trailing
newline): the first thing shaped like a key is taken. Wrong keys count against the address's budget of
refused keys, as on the API, and the sign-in form's requests are rate-limited per address (as is every
console page before signing in).
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from service import keys
from service.http.limits import TooManyRefusals
from service.orm import ApiKey, Tenant
from service.web.blueprint import READ, bp, principal, runtime, safe_next

PASTED_MAX = 2000  # characters of a pasted key line looked at; anything longer is refused unread
_KEY_IN_TEXT = re.compile(r"hk_(?:live|test)_[A-Za-z0-9]{40}(?![A-Za-z0-9])")


def key_in(pasted: str) -> str | None:
    """The API key in what was pasted, or None: `export HIREMIX_KEY="hk_test_..."` gives the key."""
    found = _KEY_IN_TEXT.search(pasted)
    return found.group(0) if found else None


@bp.get("/")
def home():
    if principal() is None:
        return redirect(url_for("console.sign_in"))
    return redirect(url_for("console.ask" if principal().allows(READ) else "console.tuning"))


def _sign_in_page(error: str | None = None, status: int = 200):
    return render_template("console/sign_in.html", error=error,
                           next=safe_next(request.values.get("next")) or ""), status


@bp.get("/sign-in")
def sign_in():
    if principal() is not None:
        return redirect(safe_next(request.args.get("next")) or url_for("console.home"))
    return _sign_in_page()


@bp.post("/sign-in")
def sign_in_with_key():
    run, address = runtime(), request.remote_addr or "-"
    wait = run.refusals.seconds_to_wait(address)
    if wait is not None:
        raise TooManyRefusals(wait)
    pasted = request.form.get("key", "")
    if len(pasted) > PASTED_MAX:
        return _sign_in_page(f"That is longer than any API key line ({PASTED_MAX} characters at most).", 422)
    secret = key_in(pasted)
    if secret is None:
        run.refusals.count(address)
        return _sign_in_page("No API key found in what you pasted. A key starts with hk_live_ or hk_test_ "
                             "followed by 40 letters and digits.", 422)
    if run.settings.production and secret.startswith(keys.TEST_PREFIX):
        run.refusals.count(address)
        return _sign_in_page("This is a development key (hk_test_); this server takes only hk_live_ keys.", 401)
    found = keys.authenticate(secret, run.sessions)
    if found is None:
        run.refusals.count(address)
        return _sign_in_page("This API key is unknown or has been revoked.", 401)
    with run.sessions() as db:
        row = db.execute(select(ApiKey.name, ApiKey.hint, Tenant.name.label("tenant"))
                         .join(Tenant, Tenant.id == ApiKey.tenant_id).where(ApiKey.id == found.key_id)).one()
    session.clear()
    session.update(key_id=found.key_id, key_name=row.name, key_hint=row.hint, tenant=row.tenant)
    session.renew = session.signing_in = True
    flash(f"Signed in with the key “{row.name}” of {row.tenant}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("console.home"))


@bp.post("/sign-out")
def sign_out():
    session.clear()
    session.renew = True  # the signed-in id ends now, in every instance; a fresh one carries the message
    flash("Signed out. The key stays valid; sign in again whenever you like.", "info")
    return redirect(url_for("console.sign_in"))
