"""The outbox: events written in the same transaction as the change they tell of."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from service.ids import new_id
from service.paging import rfc3339
from service.webhooks import EVENT_TYPES, TEST_EVENT
from service.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent


# Built once: every stored answer asks it, and building a statement costs more than running this one.
_ENABLED_ENDPOINTS = select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
    WebhookEndpoint.tenant_id == bindparam("tenant_id"), WebhookEndpoint.enabled.is_(True))


def subscribers(session: Session, tenant_id: str, event_type: str) -> list[str]:
    """The enabled endpoints of the tenant that subscribed to `event_type`."""
    rows = session.execute(_ENABLED_ENDPOINTS, {"tenant_id": tenant_id})
    return [endpoint_id for endpoint_id, types in rows if event_type in types.split()]


def emit(session: Session, *, tenant_id: str, event_type: str, data: dict | str, subject_id: str | None = None,
         endpoints: list[str] | None = None) -> WebhookEvent | None:
    """Queue `event_type` for every enabled endpoint of the tenant subscribed to it (or for `endpoints`).

    `data` is a dict or JSON text already serialised (a stored recommendation's body, spliced in as it is).
    Nothing is written when no endpoint wants the event. Returns the event written, if any.
    """
    assert event_type in EVENT_TYPES or event_type == TEST_EVENT, event_type
    wanted = subscribers(session, tenant_id, event_type) if endpoints is None else endpoints
    if not wanted:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    data_json = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # The body every receiver gets, byte for byte on every attempt: what the signature covers.
    payload = f'{{"type":{json.dumps(event_type)},"timestamp":"{rfc3339(now)}","data":{data_json}}}'
    event = WebhookEvent(id=new_id("msg"), tenant_id=tenant_id, type=event_type, subject_id=subject_id,
                         payload=payload, created_at=now)
    session.add(event)
    session.flush()  # the event row before the deliveries that name it
    session.add_all(WebhookDelivery(id=new_id("whd"), tenant_id=tenant_id, event_id=event.id, endpoint_id=endpoint_id,
                                    status="pending", attempt_count=0, next_attempt_at=now, created_at=now,
                                    updated_at=now) for endpoint_id in wanted)
    return event


def forget_subject(session: Session, tenant_id: str, subject_id: str) -> int:
    """Erase every earlier event about `subject_id` (and so its deliveries): what a deletion promises.

    A `recommendation.created` event still waiting to be sent would otherwise carry the deleted answer out.
    """
    return session.execute(delete(WebhookEvent).where(WebhookEvent.tenant_id == tenant_id,
                                                      WebhookEvent.subject_id == subject_id)).rowcount
