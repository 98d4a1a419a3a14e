"""Writing, reading and purging audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from service.audit.tables import AuditEvent
from service.db import insert_rows
from service.ids import new_id
from service.paging import newest_first, rfc3339, split_page

# What the log records: an action is `<object>.<verb>`.
ACTIONS = (
    "recommendation.created",
    "recommendation.deleted",
    "weight_profile.created",
    "weight_profile.version_created",
    "api_key.created",
    "api_key.revoked",
    "webhook_endpoint.created",
    "webhook_endpoint.updated",
    "webhook_endpoint.secret_rotated",
    "webhook_endpoint.deleted",
    "webhook_endpoint.disabled",
    "share_link.created",
    "share_link.revoked",
)


@dataclass(frozen=True)
class Page:
    events: list[dict]
    next_cursor: str | None


def record(session: Session, *, tenant_id: str, key_id: str | None, action: str, subject_type: str,
           subject_id: str | None, details: dict | None = None, at: dt.datetime | None = None) -> None:
    """Add an audit event to the caller's transaction. `key_id` None means the command line (or the system)."""
    assert action in ACTIONS, action
    session.add(AuditEvent(id=new_id("aud"), tenant_id=tenant_id, occurred_at=at or _now(), key_id=key_id,
                           action=action, subject_type=subject_type, subject_id=subject_id, details=details))


def record_each(session: Session, *, tenant_id: str, key_id: str | None, action: str, subject_type: str,
                subjects: list[tuple[str, dt.datetime]]) -> None:
    """One audit event per (subject id, moment), all in one INSERT: what storing a batch of answers writes."""
    assert action in ACTIONS, action
    insert_rows(session, AuditEvent.__table__, [
        {"id": new_id("aud"), "tenant_id": tenant_id, "occurred_at": at, "key_id": key_id, "action": action,
         "subject_type": subject_type, "subject_id": subject_id, "details": None} for subject_id, at in subjects])


def newest(query: dict, tenant_id: str, sessions: sessionmaker) -> Page:
    """One page of the tenant's audit events, newest first, filtered by action, key and time."""
    limit = query["limit"]
    table = AuditEvent
    statement = select(table).where(table.tenant_id == tenant_id)
    for column, name in ((table.action, "action"), (table.key_id, "key_id"), (table.subject_id, "subject_id")):
        if query.get(name) is not None:
            statement = statement.where(column == query[name])
    if query.get("occurred_after") is not None:
        statement = statement.where(table.occurred_at > query["occurred_after"])
    if query.get("occurred_before") is not None:
        statement = statement.where(table.occurred_at < query["occurred_before"])
    statement = newest_first(statement, table.occurred_at, table.id, query.get("cursor"), "aud_", limit)
    with sessions() as session:
        rows, next_cursor = split_page(session.execute(statement).scalars().all(), limit,
                                       lambda row: (row.occurred_at, row.id))
    return Page(events=[document(row) for row in rows], next_cursor=next_cursor)


def document(row: AuditEvent) -> dict:
    return {
        "id": row.id,
        "occurred_at": rfc3339(row.occurred_at),
        "actor": {"type": "api_key", "key_id": row.key_id} if row.key_id else {"type": "command_line", "key_id": None},
        "action": row.action,
        "subject": {"type": row.subject_type, "id": row.subject_id},
        "details": row.details or {},
    }


def purge(sessions: sessionmaker, older_than: dt.timedelta) -> int:
    """Delete audit events older than the retention; returns how many."""
    with sessions.begin() as session:
        return session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < _now() - older_than)).rowcount


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
