"""Idempotency-Key: the first response to a POST is kept and replayed for 24 hours.

`claim()` inserts a pending record in its own short transaction; the primary
key (tenant, key) lets exactly one of several concurrent requests win. The
winner runs the request and `complete()`s the record with its response, or
`release()`s it when the request failed, so the key can be retried. The
losers wait for the winner's response and replay it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from service.errors import HiremixError, field_error
from service.orm import IdempotencyRecord

log = logging.getLogger("hiremix")

RETENTION = dt.timedelta(hours=24)
# A pending record this old belongs to a request that died mid-way (gunicorn kills a
# request after its 30 s worker timeout by default), or one whose release failed
# because the database went away: take it over.
ABANDONED_AFTER = dt.timedelta(seconds=int(os.environ.get("HIREMIX_WORKER_TIMEOUT") or 30) + 5)
WAIT_FOR_FIRST_S = 10.0
HEADER = "Idempotency-Key"
# The largest answer kept for replay: a batch of 100 stored recommendations fits with room to spare.
# A larger one is not kept, so its retry runs again.
ANSWER_MAX_CHARS = 2 * 1024 * 1024
# Expired records are deleted by service/housekeeping.py with the other purges: no operator needed.


class KeyReused(HiremixError):
    status = 422
    code = "idempotency_key_reused"


class KeyInUse(HiremixError):
    status = 409
    code = "idempotency_key_in_use"
    headers = {"Retry-After": "1"}


@dataclass(frozen=True)
class Stored:
    status: int
    content_type: str
    location: str | None
    body: str


@dataclass(frozen=True)
class Claim:
    tenant_id: str
    key: str
    token: str  # whose claim: a request taken over as abandoned must not complete the new one


def fingerprint(method: str, path: str, payload: bytes) -> str:
    """What makes two requests 'the same': method, path and the validated payload."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(sessions: sessionmaker, tenant_id: str, key: str, print_: str, request: str) -> Claim | Stored:
    """Claim `key` for this request, or the stored response of its first use."""
    deadline = time.monotonic() + WAIT_FOR_FIRST_S
    pause = 0.02
    while True:
        now = dt.datetime.now(dt.timezone.utc)
        token = secrets.token_hex(16)
        try:
            with sessions.begin() as session:
                session.add(IdempotencyRecord(tenant_id=tenant_id, key=key, claim=token, fingerprint=print_,
                                              request=request, created_at=now, expires_at=now + RETENTION))
            return Claim(tenant_id, key, token)
        except IntegrityError as error:
            if not _duplicate_key(error):
                raise
        with sessions() as session:
            record = session.get(IdempotencyRecord, (tenant_id, key))
        if record is not None:
            if record.expires_at <= now or (record.status is None and record.created_at <= now - ABANDONED_AFTER):
                _drop(sessions, record)
                continue
            if record.fingerprint != print_:
                raise _reused(record.request, request)
            if record.status is not None:
                return Stored(record.status, record.content_type or "application/json", record.location,
                              record.body or "")
        if time.monotonic() >= deadline:
            raise KeyInUse(f"A request with this {HEADER} is still being answered; retry in a moment.")
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def complete(sessions: sessionmaker, claim_: Claim, stored: Stored) -> bool:
    """Keep the response for replay; False when the claim was lost (taken over as abandoned).

    The request itself has succeeded by now, so a database failure here is
    logged rather than turned into an error answer for work that was done.
    """
    try:
        with sessions.begin() as session:
            result = session.execute(
                update(IdempotencyRecord)
                .where(*_owned(claim_))
                .values(status=stored.status, content_type=stored.content_type, location=stored.location,
                        body=stored.body)
            )
    except (OperationalError, InterfaceError, PoolTimeout):
        log.warning("could not keep the answer for idempotency key %r; a retry after %s runs again",
                    claim_.key, ABANDONED_AFTER)
        return False
    if result.rowcount == 0:
        log.warning("idempotency claim on key %r was taken over before its response was kept", claim_.key)
    return result.rowcount > 0


def release(sessions: sessionmaker, claim_: Claim) -> None:
    """Free the key after a failed request, so it can be retried.

    If the database is what failed, this may fail too: the record then stays
    pending until ABANDONED_AFTER, and the request's own error is what the
    caller hears about.
    """
    try:
        with sessions.begin() as session:
            session.execute(delete(IdempotencyRecord).where(*_owned(claim_)))
    except (OperationalError, InterfaceError, PoolTimeout):  # the database is what failed
        log.warning("could not release idempotency key %r; it frees itself after %s", claim_.key, ABANDONED_AFTER)


def _owned(claim_: Claim) -> tuple:
    return (
        IdempotencyRecord.tenant_id == claim_.tenant_id,
        IdempotencyRecord.key == claim_.key,
        IdempotencyRecord.claim == claim_.token,
        IdempotencyRecord.status.is_(None),
    )


def _duplicate_key(error: IntegrityError) -> bool:
    """A unique violation (the key is taken), as opposed to any other integrity error."""
    cause = error.orig
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(cause)


def purge(sessions: sessionmaker) -> int:
    """Delete expired records; returns how many."""
    now = dt.datetime.now(dt.timezone.utc)
    with sessions.begin() as session:
        return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)).rowcount


def _drop(sessions: sessionmaker, record: IdempotencyRecord) -> None:
    """Delete exactly the stale record seen, not one another request made since."""
    with sessions.begin() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.tenant_id == record.tenant_id,
                IdempotencyRecord.key == record.key,
                IdempotencyRecord.created_at == record.created_at,
            )
        )


def _reused(first: str, now: str) -> KeyReused:
    where = "" if first == now else f" (it was first used for {first})"
    return KeyReused(
        f"This {HEADER} was already used with a different request{where}; use a new key for a new request.",
        errors=[field_error("", "idempotency_key_reused", f"Use a new {HEADER} for a different request.",
                            header=HEADER)],
    )


def forget_answers_naming(session, tenant_id: str, recommendation_id: str) -> int:
    """Delete the tenant's kept answers that hold a recommendation being deleted: its create's (by Location)
    and any batch's (by its id in the body; ids are random, so a match is that recommendation). A retry of
    that request then runs again rather than replay an answer that was erased."""
    return session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id,
        (IdempotencyRecord.location == f"/v1/recommendations/{recommendation_id}")
        | IdempotencyRecord.body.contains(f'"id":"{recommendation_id}"', autoescape=True),
    )).rowcount
