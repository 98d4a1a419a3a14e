"""Use cases of webhook endpoints: create, list, fetch, update, delete, rotate the secret, test, deliveries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.audit import log as audit
from service.config import Settings
from service.errors import HiremixError, InvalidInput, NotFound, field_error
from service.ids import new_id
from service.paging import newest_first, rfc3339, split_page
from service.webhooks import TEST_EVENT, outbox, targets
from service.webhooks.crypto import SecretBox, new_secret
from service.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

ROTATION_OVERLAP = dt.timedelta(hours=24)  # the old secret keeps signing this long after a rotation


@dataclass(frozen=True)
class Page:
    data: list[dict]
    next_cursor: str | None


class Endpoints:
    """One tenant's endpoints, as the calling key sees them."""

    def __init__(self, settings: Settings, sessions: sessionmaker, tenant_id: str, key_id: str | None):
        self.settings, self.sessions, self.tenant_id, self.key_id = settings, sessions, tenant_id, key_id
        self.box = SecretBox(settings.encryption_keys)

    def create(self, data: dict) -> dict:
        self._check_url(data["url"])
        now = _now()
        secret = new_secret()
        endpoint = WebhookEndpoint(id=new_id("whe"), tenant_id=self.tenant_id, url=data["url"],
                                   description=data.get("description", ""), event_types=" ".join(data["event_types"]),
                                   secret_encrypted=self.box.seal(secret), enabled=True, created_at=now,
                                   updated_at=now)
        with self.sessions.begin() as session:
            session.add(endpoint)
            session.flush()
            # Only the URL's scheme and host: a receiver's token may ride in its path or query, and the audit
            # log is read more widely than the endpoints are.
            self._audit(session, "webhook_endpoint.created", endpoint.id,
                        {"host": _origin(endpoint.url), "event_types": data["event_types"]})
        return {**document(endpoint), "secret": secret}

    def page(self, query: dict) -> Page:
        table = WebhookEndpoint
        statement = newest_first(select(table).where(table.tenant_id == self.tenant_id), table.created_at, table.id,
                                 query.get("cursor"), "whe_", query["limit"])
        with self.sessions() as session:
            rows, next_cursor = split_page(session.execute(statement).scalars().all(), query["limit"],
                                           lambda row: (row.created_at, row.id))
        return Page([document(row) for row in rows], next_cursor)

    def fetch(self, endpoint_id: str) -> dict:
        with self.sessions() as session:
            return document(self._owned(session, endpoint_id))

    def update(self, endpoint_id: str, data: dict) -> dict:
        if "url" in data:
            self._check_url(data["url"])
        with self.sessions.begin() as session:
            endpoint = self._owned(session, endpoint_id, lock=True)
            if "url" in data:
                endpoint.url = data["url"]
            if "event_types" in data:
                endpoint.event_types = " ".join(data["event_types"])
            if "description" in data:
                endpoint.description = data["description"]
            if "enabled" in data and data["enabled"] != endpoint.enabled:
                endpoint.enabled = data["enabled"]
                endpoint.disabled_reason = None if data["enabled"] else "Disabled through the API."
                endpoint.failing_since = None
            endpoint.updated_at = _now()
            self._audit(session, "webhook_endpoint.updated", endpoint.id, {"changed": sorted(data)})
            return document(endpoint)

    def delete(self, endpoint_id: str) -> None:
        with self.sessions.begin() as session:
            session.delete(self._owned(session, endpoint_id))
            self._audit(session, "webhook_endpoint.deleted", endpoint_id)

    def rotate_secret(self, endpoint_id: str) -> dict:
        """A new secret signs from now on; the old one signs too for 24 hours, so receivers can switch over."""
        secret = new_secret()
        now = _now()
        with self.sessions.begin() as session:
            endpoint = self._owned(session, endpoint_id, lock=True)
            endpoint.previous_secret_encrypted = endpoint.secret_encrypted
            endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
            endpoint.secret_encrypted = self.box.seal(secret)
            endpoint.updated_at = now
            self._audit(session, "webhook_endpoint.secret_rotated", endpoint.id,
                        {"previous_secret_signs_until": rfc3339(endpoint.previous_secret_expires_at)})
            return {**document(endpoint), "secret": secret}

    def send_test(self, endpoint_id: str) -> dict:
        with self.sessions.begin() as session:
            endpoint = self._owned(session, endpoint_id)
            if not endpoint.enabled:
                raise _disabled()
            event = outbox.emit(session, tenant_id=self.tenant_id, event_type=TEST_EVENT,
                                data={"endpoint_id": endpoint.id,
                                      "message": "A test event from hiremix: if its signature verifies, your "
                                                 "receiver is ready."},
                                endpoints=[endpoint.id])
            session.flush()
            delivery = session.execute(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)).scalar_one()
            return delivery_document(delivery, event.type, [])

    def deliveries(self, endpoint_id: str, query: dict) -> Page:
        table = WebhookDelivery
        with self.sessions() as session:
            self._owned(session, endpoint_id)
            statement = (select(table, WebhookEvent.type).join(WebhookEvent, WebhookEvent.id == table.event_id)
                         .where(table.endpoint_id == endpoint_id, table.tenant_id == self.tenant_id))
            if query.get("status"):
                statement = statement.where(table.status == query["status"])
            statement = newest_first(statement, table.created_at, table.id, query.get("cursor"), "whd_",
                                     query["limit"])
            shown, next_cursor = split_page(session.execute(statement).all(), query["limit"],
                                            lambda row: (row[0].created_at, row[0].id))
            attempts: dict[str, list] = {}
            if shown:
                for attempt in session.execute(
                        select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_([d.id for d, _ in shown]))
                        .order_by(WebhookAttempt.number)).scalars():
                    attempts.setdefault(attempt.delivery_id, []).append(attempt)
        return Page([delivery_document(delivery, event_type, attempts.get(delivery.id, []))
                     for delivery, event_type in shown], next_cursor)

    def resend(self, endpoint_id: str, delivery_id: str) -> dict:
        """The same event again, as a new delivery (same `webhook-id`, so receivers that have it drop it)."""
        now = _now()
        with self.sessions.begin() as session:
            endpoint = self._owned(session, endpoint_id)
            if not endpoint.enabled:
                raise _disabled()
            found = session.execute(
                select(WebhookDelivery, WebhookEvent.type).join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id,
                       WebhookDelivery.tenant_id == self.tenant_id)).first()
            if found is None:
                raise NotFound(f"No delivery '{delivery_id}' of this endpoint.")
            again = WebhookDelivery(id=new_id("whd"), tenant_id=self.tenant_id, event_id=found[0].event_id,
                                    endpoint_id=endpoint_id, status="pending", attempt_count=0, next_attempt_at=now,
                                    created_at=now, updated_at=now)
            session.add(again)
            return delivery_document(again, found[1], [])

    # -- helpers --------------------------------------------------------------------------------------
    def _check_url(self, url: str) -> None:
        # Only the URL's own rules: its host is resolved and checked before each attempt (DNS may not be set
        # up yet).
        try:
            targets.parse(url, production=self.settings.production)
        except targets.TargetRefused as refused:
            raise InvalidInput("This URL cannot receive webhooks.",
                               errors=[field_error("/url", "invalid_target", str(refused))]) from None

    def _owned(self, session: Session, endpoint_id: str, lock: bool = False) -> WebhookEndpoint:
        statement = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                                  WebhookEndpoint.tenant_id == self.tenant_id)
        if lock:
            statement = statement.with_for_update()
        endpoint = session.execute(statement).scalar_one_or_none()
        if endpoint is None:
            raise NotFound(f"No webhook endpoint '{endpoint_id}'.")
        return endpoint

    def _audit(self, session: Session, action: str, endpoint_id: str, details: dict | None = None) -> None:
        audit.record(session, tenant_id=self.tenant_id, key_id=self.key_id, action=action,
                     subject_type="webhook_endpoint", subject_id=endpoint_id, details=details)


def document(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": endpoint.event_types.split(),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": rfc3339(endpoint.created_at),
        "updated_at": rfc3339(endpoint.updated_at),
    }


def delivery_document(delivery: WebhookDelivery, event_type: str, attempts: list[WebhookAttempt]) -> dict:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": event_type,
        "endpoint_id": delivery.endpoint_id,
        "status": delivery.status,
        "attempt_count": delivery.attempt_count,
        "next_attempt_at": None if delivery.next_attempt_at is None else rfc3339(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": rfc3339(delivery.created_at),
        "updated_at": rfc3339(delivery.updated_at),
        "attempts": [{"number": a.number, "attempted_at": rfc3339(a.attempted_at), "duration_ms": a.duration_ms,
                      "status_code": a.status_code, "error": a.error} for a in attempts],
    }


class EndpointDisabled(HiremixError):
    status = 409
    code = "endpoint_disabled"


def _disabled() -> EndpointDisabled:
    return EndpointDisabled("This webhook endpoint is disabled; enable it first (PATCH with enabled: true).")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
