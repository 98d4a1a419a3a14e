"""Security headers: `nosniff` on every answer; a strict Content-Security-Policy, no framing and no
referrer on the HTML pages (/docs and the result page).

Each page's own script carries the per-request nonce `csp_nonce()` gives its template; inline style
attributes (the bar widths, Swagger UI's own) are allowed, inline event handlers and other origins are not.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

_POLICY = ("default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'")


def csp_nonce() -> str:
    """This request's nonce, for a template's <script nonce="...">."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def register(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = _POLICY.format(nonce=csp_nonce())
            response.headers["X-Frame-Options"] = "DENY"
            # The console's pages say same-origin (Flask-WTF checks the Referer of a form posted over HTTPS).
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
