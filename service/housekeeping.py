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
BATCH = 500  # rows per delete
MOST = 20_000  # rows per table per run: a backlog drains over several runs
_next_run = 0.0


def register(app) -> None:
    """After a write a process answered, once the response is sent, run the purges if they are due (at most
    every `EVERY_S`): the client never waits for them."""
    from flask import current_app, request

    @app.after_request
    def _purge_when_sent(response):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and due():
            runtime = current_app.extensions["hiremix"]
            response.call_on_close(lambda: now_and_then(runtime.settings, runtime.sessions))
        return response


def due() -> bool:
    return time.monotonic() >= _next_run


def now_and_then(settings: Settings, sessions: sessionmaker) -> None:
    """Run every purge if this process has not in the last `EVERY_S` seconds; a failure is logged and the
    next run tries again."""
    global _next_run
    if not due():
        return
    _next_run = time.monotonic() + EVERY_S
    try:
        purged = purge_all(settings, sessions)
    except (OperationalError, InterfaceError, PoolTimeout) as error:
        log.warning("purging expired data failed (%s); trying again in %d s", type(error).__name__, EVERY_S)
        return
    if any(purged.values()):
        log.info("purged expired data: %s", ", ".join(f"{count} {what}" for what, count in purged.items() if count))


def purge_all(settings: Settings, sessions: sessionmaker) -> dict[str, int]:
    from service import idempotency
    from service.audit.tables import AuditEvent
    from service.sharing import links
    from service.web import sessions as console_sessions
    from service.webhooks.tables import WebhookDelivery, WebhookEvent

    now = dt.datetime.now(dt.timezone.utc)
    finished = ~exists(select(WebhookDelivery.id).where(WebhookDelivery.event_id == WebhookEvent.id,
                                                        WebhookDelivery.status == "pending"))
    return {
        "idempotency records": idempotency.purge(sessions),
        "audit events": in_batches(sessions, AuditEvent, AuditEvent.id, AuditEvent.occurred_at
                                   < now - dt.timedelta(days=settings.audit_retention_days)),
        # Events still being retried stay, however old; deliveries and attempts go with their events.
        "webhook events": in_batches(sessions, WebhookEvent, WebhookEvent.id, (WebhookEvent.created_at
                                     < now - dt.timedelta(days=settings.webhook_retention_days)) & finished),
        "share links": links.purge(sessions),
        "console sessions": console_sessions.purge(sessions),
    }


def in_batches(sessions: sessionmaker, table, key, condition, batch: int | None = None,
               most: int | None = None) -> int:
    """Delete the rows matching `condition`, `batch` at a time (each its own short transaction, so neither a
    lock nor a statement timeout is ever held long), up to `most` rows per run; the rest wait for the next."""
    batch, most = batch or BATCH, most or MOST
    total = 0
    while total < most:
        with sessions.begin() as session:
            chosen = select(key).where(condition).limit(batch).scalar_subquery()
            deleted = session.execute(delete(table).where(key.in_(chosen))).rowcount
        total += deleted
        if deleted < batch:
            break
    return total

