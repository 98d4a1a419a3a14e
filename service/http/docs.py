"""The interactive documentation at /docs: Swagger UI, served from the flask-swagger-ui package.

No CDN: the page and every asset come from this server, so it works offline.
`/` leads to the console (service/web) instead. The page reads /openapi.json; "Authorize" takes an API key
and keeps it in the browser (persistAuthorization), and "Try it out" sends each
request to the server the page came from, whatever host and port that is.
/favicon.ico, which browsers ask for by themselves, is hiremix's icon from service/static.
"""

from __future__ import annotations

import os

import flask_swagger_ui
from flask import Blueprint, Response, current_app, redirect, render_template, send_from_directory

bp = Blueprint("docs", __name__, template_folder="templates")
ASSETS = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")


@bp.get("/")
def home() -> Response:
    """People arrive at the console (service/web); programs read /docs and /openapi.json."""
    return redirect("/console/", code=302)


@bp.get("/docs")
def page() -> str:
    return render_template("docs.html")


@bp.get("/docs/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(ASSETS, name, max_age=86400)


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=86400)
