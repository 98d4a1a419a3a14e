"""The console's blueprint and what its pages share: who is signed in, what they may do, errors as pages."""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import urlsplit

from flask import (Blueprint, Response, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from service.engine.wording import value_words
from service.errors import HiremixError
from service.http.problems import DatabaseUnavailable, transient
from service.http.problems import request_id as current_request_id
from service.web import csrf
from service.web.sessions import PATH

log = logging.getLogger("hiremix")
bp = Blueprint("console", __name__, url_prefix=PATH, template_folder="templates")

READ, WRITE = "recommendations:read", "recommendations:write"
PROFILES_READ, PROFILES_WRITE = "weight_profiles:read", "weight_profiles:write"
NAV = (  # (endpoint, label, scope that shows it)
    ("console.ask", "Ask", READ),
    ("console.answers", "Past answers", READ),
    ("console.tuning", "Tuning", PROFILES_READ),
)
SECTIONS = {  # page -> the navigation entry it belongs to
    "console.ask": "console.ask", "console.answer": "console.ask",
    "console.answers": "console.answers", "console.answer_page": "console.answers",
    "console.confirm_delete": "console.answers", "console.share": "console.answers",
    "console.tuning": "console.tuning", "console.draft": "console.tuning", "console.draft_action": "console.tuning",
}


def runtime():
    return current_app.extensions["hiremix"]


def principal():
    return g.get("principal")


def may(scope: str) -> bool:
    found = principal()
    return found is not None and found.allows(scope)


@bp.app_context_processor
def _console_globals():
    return {"console_may": may, "console_nav": NAV, "console_signed_in": lambda: principal() is not None,
            "console_section": SECTIONS.get(request.endpoint or ""), "value_words": value_words}


def page(scope: str):
    """A console page for a signed-in key holding `scope`: others are sent to sign in (and come back after)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if principal() is None:
                if getattr(session, "ended", False):
                    flash("Your session has ended. Sign in again to go on.", "info")
                return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
            if not may(scope):
                return render_template("console/error.html", title="Not allowed with this key", detail=(
                    f"The key you signed in with lacks the scope '{scope}' that this page needs. Sign in with "
                    "another key, or ask whoever manages your keys for one with that scope."), status=403), 403
            return view(*args, **kwargs)

        return wrapper

    return decorator


NEXT_MAX = 500
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")  # visible ASCII: no space, control character or line break


def safe_next(target: str | None) -> str | None:
    """Where to go after signing in: only a console path on this server, never another site; else None."""
    if target and len(target) <= NEXT_MAX and _PRINTABLE.match(target) and "\\" not in target \
            and "/../" not in target + "/":
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and (parts.path == PATH or parts.path.startswith(PATH + "/")):
            return target
    return None


@bp.before_request
def _forms_carry_their_token():
    failure = getattr(session, "failure", None)
    if failure is not None:  # the session could not be read: the page of that failure (503 or 500)
        raise failure
    if request.method == "POST":
        csrf.protect()


@bp.after_request
def _private(response: Response) -> Response:
    # A tenant's data behind a sign-in: never in a shared or disk cache; the Referer stays on this site, so
    # Flask-WTF's same-origin check holds over HTTPS (other HTML pages send none at all).
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.errorhandler(CSRFError)
def _no_token(error: CSRFError):
    return render_template("console/error.html", title="This form has expired", status=400, detail=(
        "The form was sent without its security token, or with one from an ended session. Go back, reload "
        "the page and send it again.")), 400


@bp.errorhandler(HiremixError)
def _domain_error_page(error: HiremixError):
    titles = {404: "Not found", 409: "Try again", 422: "Not accepted", 429: "Too many requests",
              503: "hiremix is busy"}
    response = Response(render_template("console/error.html", title=titles.get(error.status, "Not possible"),
                                        detail=error.detail, status=error.status), error.status,
                        mimetype="text/html")
    for name, value in getattr(error, "headers", {}).items():
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response


@bp.errorhandler(DBAPIError)
@bp.errorhandler(PoolTimeout)
def _database(error: Exception):
    if not transient(error):  # an SQL bug of ours, not an outage
        return _unexpected(error)
    log.error("database unavailable (console %s): %s", request.path, error.__class__.__name__, exc_info=error)
    return _domain_error_page(DatabaseUnavailable("The database cannot be reached right now; try again shortly."))


@bp.errorhandler(HTTPException)
def http_error_page(error: HTTPException):
    """Refusals of the HTTP layer (the rate limit's 429, a 413, a 405) as pages, like the console's own; a
    failure while the answer was being finished (saving the session) as the page of what failed."""
    original = getattr(error, "original_exception", None)
    if original is not None:
        return _database(original) if isinstance(original, (DBAPIError, PoolTimeout)) else _unexpected(original)
    titles = {429: "Too many requests", 413: "Too much sent", 405: "Not possible here", 404: "Not found"}
    status = error.code or 500
    response = Response(render_template("console/error.html", title=titles.get(status, error.name),
                                        detail=error.description, status=status), status, mimetype="text/html")
    response.headers.update({k: v for k, v in error.get_headers() if k.lower() in ("retry-after", "allow")})
    return response


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    request_id = current_request_id()
    log.exception("unhandled error (console %s, request %s)", request.path, request_id, exc_info=error)
    return render_template("console/error.html", title="Something went wrong", status=500, detail=(
        f"Something went wrong on our side. Quote request id {request_id} when reporting it.")), 500


@bp.route("/<path:anything>", methods=["GET", "POST"])
def _nothing_here(anything: str):
    """Any other /console address, a malformed id included: a page, not the API's JSON."""
    return render_template("console/error.html", title="Not found", status=404, detail=(
        "There is no such page in the console, or the answer it names does not exist.")), 404
