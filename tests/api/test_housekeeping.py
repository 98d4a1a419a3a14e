"""Purges on schedule, with no operator: audit events, finished webhook events, ended share links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from service import housekeeping
from service.audit.tables import AuditEvent
from service.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEvent
from service.webhooks.worker import Worker


def count(sessions, table) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_purges_what_is_past_its_retention_and_keeps_what_is_not(app, client, sessions, create):
    settings = app.extensions["hiremix"].settings
    client.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/h", "event_types": ["recommendation.created"]})
    for _ in range(3):
        create()
    worker = Worker(settings, sessions)
    assert sum(worker.work_once() for _ in range(3)) == 3  # three attempts: connection refused, retries pending
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    with sessions.begin() as session:
        events = session.execute(select(WebhookEvent.id).order_by(WebhookEvent.id)).scalars().all()
        # Two finished long ago, one still being retried although as old: that one stays.
        session.execute(update(WebhookEvent).values(created_at=long_ago))
        session.execute(update(WebhookDelivery).where(WebhookDelivery.event_id.in_(events[:2]))
                        .values(status="failed"))
        first_audit = session.execute(select(AuditEvent.id).order_by(AuditEvent.occurred_at)).scalars().first()
        session.execute(update(AuditEvent).where(AuditEvent.id == first_audit).values(occurred_at=long_ago))
    audit_before = count(sessions, AuditEvent)
    purged = housekeeping.purge_all(settings, sessions)
    assert purged["webhook events"] == 2 and purged["audit events"] == 1
    assert count(sessions, WebhookEvent) == 1 and count(sessions, WebhookDelivery) == 1
    assert count(sessions, WebhookAttempt) == 1  # the attempts of purged deliveries went with them
    assert count(sessions, AuditEvent) == audit_before - 1
    assert housekeeping.purge_all(settings, sessions)["webhook events"] == 0


def test_each_process_purges_at_most_every_ten_minutes_once_a_write_is_answered(app, client, monkeypatch):
    calls = []
    monkeypatch.setattr(housekeeping, "purge_all", lambda settings, sessions: calls.append(1) or {})
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)
    profile = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}
    client.get("/v1/recommendations").close()
    assert calls == []  # reads never purge
    answered = client.post("/v1/recommendations", json=profile)
    assert calls == []  # not before the answer is sent: the server closes it once sent
    answered.close()
    client.post("/v1/recommendations", json=profile).close()
    assert calls == [1]
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)  # ten minutes later
    client.delete("/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za").close()
    assert calls == [1, 1]


def test_a_backlog_is_deleted_in_batches_and_a_failure_is_logged(app, sessions, create, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    for _ in range(7):
        create()  # with the key's own creation: 8 audit events
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    with sessions.begin() as session:
        session.execute(update(AuditEvent).values(occurred_at=long_ago))
    settings = app.extensions["hiremix"].settings
    monkeypatch.setattr(housekeeping, "BATCH", 3)
    monkeypatch.setattr(housekeeping, "MOST", 5)
    assert housekeeping.purge_all(settings, sessions)["audit events"] == 6  # two batches of 3, then the cap
    assert count(sessions, AuditEvent) == 2
    assert housekeeping.purge_all(settings, sessions)["audit events"] == 2  # the rest, the next run
    assert count(sessions, AuditEvent) == 0

    def broken(*_args):
        raise OperationalError("DELETE", {}, Exception("statement timeout"))

    monkeypatch.setattr(housekeeping, "purge_all", broken)
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)
    with caplog.at_level("WARNING", logger="hiremix"):
        housekeeping.now_and_then(settings, sessions)
    assert "purging expired data failed (OperationalError)" in caplog.text
