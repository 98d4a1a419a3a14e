"""CORS for the origins in HIREMIX_CORS_ORIGINS (none by default), through Flask-CORS, with two corrections:
every answer says `Vary: Origin` (whether the CORS headers are there depends on it, so a shared cache must
keep one copy per origin), and a preflight allows only the methods the path has."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

# What a browser page on an allowed origin may send and read.
ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "Hiremix-Version",
                 "If-None-Match"]
EXPOSE_HEADERS = ["Location", "Link", "X-Request-Id", "Idempotent-Replayed", "Retry-After", "RateLimit-Limit",
                  "RateLimit-Remaining", "RateLimit-Reset", "Hiremix-Version", "ETag", "Deprecation", "Sunset",
                  "Content-Disposition"]
_NOT_NAMED = {"HEAD", "OPTIONS"}  # always allowed by CORS itself


def register(app: Flask, origins: tuple[str, ...]) -> None:
    if not origins:
        return

    @app.after_request
    def _methods_of_the_path(response: Response) -> Response:
        # Registered before Flask-CORS's own hook, so it runs after it (Flask runs them in reverse).
        response.vary.add("Origin")
        if request.method == "OPTIONS" and "Access-Control-Allow-Methods" in response.headers:
            allowed = _methods(request.path)
            wanted = request.headers.get("Access-Control-Request-Method", "").upper()
            if wanted in allowed:
                response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed - _NOT_NAMED))
            else:  # no such method here: the browser is told nothing it could use
                for name in ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"):
                    response.headers.pop(name, None)
        return response

    methods = sorted({method for rule in app.url_map.iter_rules() for method in rule.methods} - _NOT_NAMED)
    CORS(app, origins=list(origins), allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS, methods=methods,
         max_age=600)


def _methods(path: str) -> set[str]:
    adapter = current_app.url_map.bind("", default_method="GET")
    try:
        return set(adapter.allowed_methods(path))
    except HTTPException:
        return set()
