"""The delivery worker: claims due deliveries, signs, sends, and schedules the retries.

Several workers may run at once (on one machine or many): a delivery is claimed with a compare-and-set
UPDATE, so exactly one worker holds it until `locked_until`. A worker killed mid-delivery holds it no
longer than that; another then sends it again (at least once: receivers drop repeats by `webhook-id`).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import signal
import threading
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from service import housekeeping
from service.audit import log as audit
from service.config import Settings
from service.webhooks import sender, targets
from service.webhooks.crypto import SecretBox
from service.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

log = logging.getLogger("hiremix.webhooks")
log.propagate = False  # the "hiremix" logger's handlers format request lines; the CLI gives this one its own

# The wait after each failed attempt (then ±25 % jitter): 11 attempts over about a day (23.7 hours), then
# the delivery is marked failed. It can still be re-sent by hand.
RETRY_SCHEDULE_S = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800)
JITTER = 0.25
CLAIM_BATCH = 1  # one at a time: each claim's lock starts when its own attempt does


def retry_delay(failed_attempts: int, rng: random.Random = random) -> float | None:
    """Seconds until the next attempt after `failed_attempts` failures; None when the retries are spent."""
    if failed_attempts > len(RETRY_SCHEDULE_S):
        return None
    base = RETRY_SCHEDULE_S[failed_attempts - 1]
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


@dataclass(frozen=True)
class Claimed:
    delivery_id: str
    token: str


class Worker:
    def __init__(self, settings: Settings, sessions: sessionmaker, *, lookup=None, send=sender.send,
                 clock=lambda: dt.datetime.now(dt.timezone.utc)):
        self.settings, self.sessions = settings, sessions
        self.box = SecretBox(settings.encryption_keys)
        self.lookup = lookup
        self.send = send
        self.clock = clock
        self.stopping = threading.Event()

    # -- the loop -------------------------------------------------------------------------------------
    def run(self) -> None:
        """Deliver until SIGTERM or SIGINT; the delivery in hand is finished first."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        log.info("webhook worker started (poll every %g s)", self.settings.webhook_poll_s)
        while not self.stopping.is_set():
            try:
                done = self.work_once()
                housekeeping.now_and_then(self.settings, self.sessions)
            except (OperationalError, InterfaceError, PoolTimeout):
                log.warning("the database is unreachable; trying again shortly")
                done = 0
            except Exception:  # a bug must not stop every tenant's deliveries: log it, keep going
                log.exception("a delivery failed unexpectedly; it is retried when its hold runs out")
                done = 0
            if not done:
                self.stopping.wait(self.settings.webhook_poll_s)
        log.info("webhook worker stopped")

    def work_once(self, limit: int = CLAIM_BATCH) -> int:
        """Claim and deliver what is due now; returns how many deliveries were attempted."""
        claimed = self.claim(limit)
        for item in claimed:
            if self.stopping.is_set():
                self._unclaim(item)  # another worker takes it at once
                continue
            self.deliver(item)
        return len(claimed)

    # -- claiming -------------------------------------------------------------------------------------
    def claim(self, limit: int) -> list[Claimed]:
        now = self.clock()
        free = or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now)
        with self.sessions() as session:
            due = session.execute(
                select(WebhookDelivery.id).where(WebhookDelivery.status == "pending",
                                                 WebhookDelivery.next_attempt_at <= now, free)
                .order_by(WebhookDelivery.next_attempt_at).limit(limit)
            ).scalars().all()
        claimed = []
        for delivery_id in due:
            token = secrets.token_hex(16)
            with self.sessions.begin() as session:
                # Compare-and-set: of several workers that saw this delivery free, exactly one moves it.
                won = session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending", free)
                    .values(locked_until=now + dt.timedelta(seconds=self.settings.webhook_lock_s), lock_token=token)
                ).rowcount == 1
            if won:
                claimed.append(Claimed(delivery_id, token))
        return claimed

    def _unclaim(self, item: Claimed) -> None:
        with self.sessions.begin() as session:
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id == item.delivery_id,
                                                          WebhookDelivery.lock_token == item.token)
                            .values(locked_until=None, lock_token=None))

    # -- one delivery ---------------------------------------------------------------------------------
    def deliver(self, item: Claimed) -> sender.Outcome | None:
        with self.sessions() as session:
            row = session.execute(
                select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
                .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id == item.delivery_id, WebhookDelivery.lock_token == item.token)
            ).first()
        if row is None:
            return None  # erased meanwhile (a deleted recommendation, endpoint or event) or taken over
        delivery, event, endpoint = row
        if not endpoint.enabled:
            outcome = sender.Outcome(None, f"The endpoint is disabled: {endpoint.disabled_reason}"[:500], 0)
            self._record(item, delivery, endpoint, outcome, final=True)
            return outcome
        production = self.settings.production
        try:
            target = targets.parse(endpoint.url, production=production)
            address = targets.resolve(target, production=production,
                                      **({"lookup": self.lookup} if self.lookup else {}))
        except targets.TargetRefused as refused:
            outcome = sender.Outcome(None, f"Not sent: {refused}"[:500], 0)
        else:
            now = self.clock()
            try:
                active = [self.box.open(endpoint.secret_encrypted)]
                if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at \
                        and endpoint.previous_secret_expires_at > now:
                    active.append(self.box.open(endpoint.previous_secret_encrypted))
            except RuntimeError as unreadable:  # a key removed from HIREMIX_ENCRYPTION_KEYS: say so, go on
                log.error("webhook endpoint %s: %s", endpoint.id, unreadable)
                outcome = sender.Outcome(None, "Not sent: the signing secret cannot be decrypted with the "
                                               "configured encryption keys.", 0)
            else:
                if not self._hold(item):
                    return None  # taken over meanwhile
                outcome = self.send(target, address, event.payload,
                                    sender.headers(active, event.id, event.payload, now),
                                    self.settings.webhook_timeout_s)
        self._record(item, delivery, endpoint, outcome)
        return outcome

    def _hold(self, item: Claimed) -> bool:
        """Renew the claim just before sending: the lock (more than twice the attempt's hard time limit, see
        Settings) then outlasts the attempt, however long the resolution before it took."""
        until = self.clock() + dt.timedelta(seconds=self.settings.webhook_lock_s)
        with self.sessions.begin() as session:
            return session.execute(update(WebhookDelivery).where(WebhookDelivery.id == item.delivery_id,
                                                                 WebhookDelivery.lock_token == item.token)
                                   .values(locked_until=until)).rowcount == 1

    def _record(self, item: Claimed, delivery: WebhookDelivery, endpoint: WebhookEndpoint,
                outcome: sender.Outcome, final: bool = False) -> None:
        now = self.clock()
        number = delivery.attempt_count + 1
        delay = None if (outcome.delivered or final) else retry_delay(number)
        status = "succeeded" if outcome.delivered else ("pending" if delay is not None else "failed")
        with self.sessions.begin() as session:
            moved = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == item.delivery_id, WebhookDelivery.lock_token == item.token)
                .values(status=status, attempt_count=number, locked_until=None, lock_token=None,
                        next_attempt_at=None if delay is None else now + dt.timedelta(seconds=delay),
                        last_status_code=outcome.status_code, last_error=outcome.error, updated_at=now)
            ).rowcount
            if moved != 1:
                return  # erased or taken over meanwhile: the other worker's record stands
            session.add(WebhookAttempt(delivery_id=item.delivery_id, number=number, attempted_at=now,
                                       duration_ms=outcome.duration_ms, status_code=outcome.status_code,
                                       error=outcome.error))
            if final:
                return
            if outcome.delivered:
                session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id,
                                                              WebhookEndpoint.failing_since.is_not(None))
                                .values(failing_since=None))
                return
            since = endpoint.failing_since or now
            if endpoint.failing_since is None:
                session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id,
                                                              WebhookEndpoint.failing_since.is_(None))
                                .values(failing_since=now))
            # Disabled only once a delivery has run out of retries (about a day of failures) and nothing has
            # succeeded for the whole period: a quiet endpoint's one old failure never disables it.
            limit = dt.timedelta(days=self.settings.webhook_disable_after_days)
            if status == "failed" and now - since >= limit:
                reason = (f"Disabled automatically on {now:%Y-%m-%d}: every delivery failed since "
                          f"{since:%Y-%m-%d %H:%M} UTC (last: {outcome.error})")[:500]
                disabled = session.execute(
                    update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.enabled.is_(True))
                    .values(enabled=False, disabled_reason=reason, updated_at=now)).rowcount
                if disabled:
                    audit.record(session, tenant_id=endpoint.tenant_id, key_id=None, action="webhook_endpoint.disabled",
                                 subject_type="webhook_endpoint", subject_id=endpoint.id, details={"reason": reason},
                                 at=now)
                    log.warning("webhook endpoint %s disabled after failing since %s", endpoint.id, since)


def run_forever(settings: Settings, sessions: sessionmaker) -> None:
    Worker(settings, sessions).run()

