"""The console's blueprint and what its pages share: who is signed in, what they may do, errors as pages."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import (Blueprint, Response, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFError

from service.engine.wording import value_words
from service.errors import HiremixError
from service.web import csrf
from service.web.sessions import PATH

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


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a console path on this server, never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and (parts.path == PATH or parts.path.startswith(PATH + "/")) \
                and "\\" not in target:
            return target
    return url_for("console.home")


@bp.before_request
def _forms_carry_their_token():
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
def _refused(error: HiremixError):
    titles = {404: "Not found", 409: "Try again", 422: "Not accepted", 429: "Too many requests",
              503: "hiremix is busy"}
    response = Response(render_template("console/error.html", title=titles.get(error.status, "Not possible"),
                                        detail=error.detail, status=error.status), error.status,
                        mimetype="text/html")
    for name, value in getattr(error, "headers", {}).items():
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response
