"""Purges that keep stored data within its retention, with no operator and no cron.

Every process (gunicorn workers after a write, webhook workers between deliveries) runs them at most
once every `EVERY_S`; the deletes are idempotent, so processes running them at once do no harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from service.config import Settings

log = logging.getLogger("hiremix")

EVERY_S = 600.0
_next_run = 0.0


def register(app) -> None:
    """After each write a process answered, run the purges if they are due (at most every `EVERY_S`)."""
    from flask import current_app, request

    @app.teardown_request
    def _purge_if_due(_error=None):
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            runtime = current_app.extensions["hiremix"]
            now_and_then(runtime.settings, runtime.sessions)


def now_and_then(settings: Settings, sessions: sessionmaker) -> None:
    """Run every purge if this process has not in the last `EVERY_S` seconds; a database outage skips it."""
    global _next_run
    if time.monotonic() < _next_run:
        return
    _next_run = time.monotonic() + EVERY_S
    try:
        purged = purge_all(settings, sessions)
    except (OperationalError, InterfaceError, PoolTimeout):
        return
    if any(purged.values()):
        log.info("purged expired data: %s", ", ".join(f"{count} {what}" for what, count in purged.items() if count))


def purge_all(settings: Settings, sessions: sessionmaker) -> dict[str, int]:
    from service import idempotency
    from service.audit import log as audit
    from service.sharing import links

    return {
        "idempotency records": idempotency.purge(sessions),
        "audit events": audit.purge(sessions, dt.timedelta(days=settings.audit_retention_days)),
        "webhook events": purge_webhook_events(sessions, dt.timedelta(days=settings.webhook_retention_days)),
        "share links": links.purge(sessions),
    }


def purge_webhook_events(sessions: sessionmaker, older_than: dt.timedelta) -> int:
    """Delete events older than the retention whose deliveries are all finished (with those deliveries and
    their attempts); an event still being retried stays."""
    from service.webhooks.tables import WebhookDelivery, WebhookEvent

    cutoff = dt.datetime.now(dt.timezone.utc) - older_than
    pending = exists(select(WebhookDelivery.id).where(WebhookDelivery.event_id == WebhookEvent.id,
                                                      WebhookDelivery.status == "pending"))
    with sessions.begin() as session:
        return session.execute(delete(WebhookEvent).where(WebhookEvent.created_at < cutoff, ~pending)).rowcount
