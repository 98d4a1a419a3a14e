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
    Worker(settings, sessions).work_once()  # three attempts: connection refused, retries pending
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


def test_each_process_purges_at_most_every_ten_minutes_after_a_write(app, client, monkeypatch):
    calls = []
    monkeypatch.setattr(housekeeping, "purge_all", lambda settings, sessions: calls.append(1) or {})
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)
    client.get("/v1/recommendations")
    assert calls == []  # reads never purge
    client.post("/v1/recommendations", json={"stage": "seed", "team_size": 6, "product_complexity": "low",
                                             "business_model": "b2b_saas"})
    client.post("/v1/recommendations", json={"stage": "seed", "team_size": 6, "product_complexity": "low",
                                             "business_model": "b2b_saas"})
    assert calls == [1]
    monkeypatch.setattr(housekeeping, "_next_run", 0.0)  # ten minutes later
    client.delete("/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za")
    assert calls == [1, 1]
