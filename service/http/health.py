"""/healthz (the process answers), /readyz (the database answers too), /metrics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from service.http.apidoc import json_response, problems, response
from service.http.metrics import exposition
from service.http.problems import DatabaseUnavailable

bp = Blueprint("operations", __name__)

_STATUS = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}


@bp.get("/healthz")
@response(200, "The process is alive.", schema=_STATUS, example={"status": "ok"})
def healthz() -> Response:
    """Liveness: answers without touching the database."""
    return json_response({"status": "ok"})


@bp.get("/readyz")
@response(200, "Ready: the database answers and is migrated.", schema=_STATUS, example={"status": "ready"})
@problems(503)
def readyz() -> Response:
    """Readiness: the database answers within HIREMIX_DB_TIMEOUT and is migrated; 503 otherwise."""
    engine = current_app.extensions["hiremix"].engine
    with engine.connect() as connection:
        migrated = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        read_only = engine.dialect.name == "postgresql" and connection.execute(
            text("SELECT current_setting('transaction_read_only')")).scalar() == "on"
    if migrated is None:
        raise DatabaseUnavailable("The database is not ready: its migrations have not been applied.")
    if read_only:  # a standby, or a primary mid-failover: reads work, writes would fail
        raise DatabaseUnavailable("The database only accepts reads right now (a standby or a failover).")
    return json_response({"status": "ready"})


@bp.get("/metrics")
@response(200, "Prometheus text exposition format.", schema={"type": "string"},
          media_type="text/plain")
def metrics() -> Response:
    """Prometheus metrics: requests, latency by route and status, recommendations by outcome."""
    return exposition()
