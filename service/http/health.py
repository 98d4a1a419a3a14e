"""/healthz (the process answers), /readyz (the database answers too), /metrics."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from sqlalchemy import text

from service.errors import HiremixError, NotFound
from service.http.limits import TooManyRefusals

from service.http.apidoc import json_response, problems, response
from service.http.metrics import exposition
from service.http.problems import DatabaseUnavailable

bp = Blueprint("operations", __name__)

_STATUS = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}


@bp.get("/healthz")
@response(200, "The process is alive.", schema=_STATUS, example={"status": "ok"})
def healthz() -> Response:
    """Liveness: answers without touching the database.

    For a load balancer or an orchestrator's liveness probe: 200 while the
    process serves requests. Needs no key.
    """
    return json_response({"status": "ok"})


@bp.get("/readyz")
@response(200, "Ready: the database answers and is migrated.", schema=_STATUS, example={"status": "ready"})
@problems(503)
def readyz() -> Response:
    """Readiness: the database answers and is migrated.

    For a readiness probe: 200 when the database answers within
    HIREMIX_DB_TIMEOUT and its migrations are applied; 503 otherwise, so no
    traffic is sent to an instance that cannot serve it. Needs no key.
    """
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
@problems(401, 404)
def metrics() -> Response:
    """Prometheus metrics: requests, latency by route and status, recommendations by outcome.

    Counts cover every tenant, so with HIREMIX_METRICS_TOKEN set the scraper must send
    `Authorization: Bearer <token>`; in production (HIREMIX_ENV=production) there are
    no metrics without a token (404).
    """
    runtime = current_app.extensions["hiremix"]
    settings = runtime.settings
    if settings.metrics_token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.metrics_token.encode()):
            address = request.remote_addr or "-"
            wait = runtime.refusals.seconds_to_wait(address)  # guessing the token counts like guessing a key
            if wait is not None:
                raise TooManyRefusals(wait)
            runtime.refusals.count(address)
            raise MetricsToken()
    elif settings.production:
        raise NotFound("Metrics are off: set HIREMIX_METRICS_TOKEN to serve them in production.")
    return exposition()


class MetricsToken(HiremixError):
    status = 401
    code = "unauthenticated"
    headers = {"WWW-Authenticate": 'Bearer realm="hiremix metrics"'}

    def __init__(self):
        super().__init__("Send the metrics token: 'Authorization: Bearer <HIREMIX_METRICS_TOKEN>'.")
