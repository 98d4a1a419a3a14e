"""The console: hiremix in the browser for people without a terminal, server-rendered at /console (/ leads there).

Sign in by pasting an API key; a signed-in session is kept in the database (`sessions.py`) and the key's
scopes decide what the pages offer. Every form carries Flask-WTF's CSRF token; what a form says is validated by the API's
own marshmallow schemas and stored through the same use cases as the API, so a console answer is an API answer.
"""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import MethodNotAllowed

from service.http.limits import PER_ADDRESS
from service.http.problems import http_problem
from service.web.sessions import PATH, DatabaseSessions

csrf = CSRFProtect()


def register(app: Flask, settings, sessions) -> None:
    """Before the rate limiter's hook: the signed-in key is the principal, so console pages count against its
    budget like its API calls."""
    from service.web import answers, ask, auth, tuning  # noqa: F401 (their routes join the blueprint)
    from service.web.blueprint import bp, http_error_page

    app.config.update(
        SECRET_KEY=settings.secret_key,
        WTF_CSRF_CHECK_DEFAULT=False,  # only the console's forms: the API takes keys, not cookies
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as its session (which ends on its own)
    )
    app.session_interface = DatabaseSessions(sessions, settings.console_session_s, secure=settings.production)
    csrf.init_app(app)

    @app.before_request
    def _signed_in_key():
        if request.blueprint == bp.name:
            principal = getattr(session, "principal", None)
            if principal is not None:
                g.principal = principal

    app.register_blueprint(bp)

    @app.errorhandler(MethodNotAllowed)
    def _method_not_allowed(error: MethodNotAllowed):
        # Routing fails before a blueprint is known: a console address still answers with a page.
        if request.path == PATH or request.path.startswith(PATH + "/"):
            return http_error_page(error)
        return http_problem(error)

    # Signed in, a page counts against its key's rate limit; before, against the client address's.
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(bp.name + "."):
            setattr(view, PER_ADDRESS, True)


__all__ = ["register", "csrf", "PATH"]
