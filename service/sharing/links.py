"""Use cases of share links: create, list, revoke, open, purge.

A share link opens one stored recommendation's page without an API key, until
it expires or is revoked. Its token, `secrets.token_urlsafe(32)` (256 random
bits), is shown once, in the answer that made it; only its SHA-256 is kept, so
the table alone opens nothing. Lookup goes through the hash's unique index and
the stored hash is then compared with `hmac.compare_digest`, as for API keys.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.audit import log as audit
from service.errors import NotFound
from service.ids import new_id
from service.orm import RecommendationRecord
from service.paging import newest_first, rfc3339, split_page
from service.sharing.tables import ShareLink

DEFAULT_DAYS = 30
MAX_DAYS = 90
# A link that expired or was revoked this long ago is deleted by `purge` (until then its owner still sees it listed).
KEPT_AFTER_END = dt.timedelta(days=30)
_TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) gives: 43 characters of the URL-safe base64 alphabet. Anything else is refused
# before the database is asked.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class NewLink:
    document: dict  # without `url`: the HTTP layer knows the address it was asked at
    token: str  # shown once, never stored


@dataclass(frozen=True)
class Page:
    documents: list[dict]
    next_cursor: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(recommendation_id: str, expires_in_days: int | None, tenant_id: str, sessions: sessionmaker, *,
           key_id: str | None = None, now: dt.datetime | None = None) -> NewLink:
    """A new link to one of the tenant's recommendations, valid for `expires_in_days` (None: 30 days)."""
    now = now or _now()
    days = DEFAULT_DAYS if expires_in_days is None else expires_in_days
    assert 1 <= days <= MAX_DAYS, days  # the schema refuses anything else
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    link = ShareLink(id=new_id("shl"), tenant_id=tenant_id, recommendation_id=recommendation_id,
                     token_hash=digest(token), created_at=now, expires_at=now + dt.timedelta(days=days),
                     created_by_key_id=key_id)
    with sessions.begin() as session:
        _recommendation_exists(session, recommendation_id, tenant_id)
        session.add(link)
        audit.record(session, tenant_id=tenant_id, key_id=key_id, action="share_link.created",
                     subject_type="share_link", subject_id=link.id, at=now,
                     details={"recommendation_id": recommendation_id, "expires_at": rfc3339(link.expires_at)})
        document = _document(link)
    return NewLink(document=document, token=token)


def newest(recommendation_id: str, query: dict, tenant_id: str, sessions: sessionmaker) -> Page:
    """One page of a recommendation's links, newest first, revoked and expired ones included."""
    limit = query["limit"]
    statement = newest_first(select(ShareLink).where(ShareLink.tenant_id == tenant_id,
                                                     ShareLink.recommendation_id == recommendation_id),
                             ShareLink.created_at, ShareLink.id, query.get("cursor"), "shl_", limit)
    with sessions() as session:
        _recommendation_exists(session, recommendation_id, tenant_id)
        rows, next_cursor = split_page(session.execute(statement).scalars().all(), limit,
                                       lambda row: (row.created_at, row.id))
    return Page(documents=[_document(row) for row in rows], next_cursor=next_cursor)


def revoke(link_id: str, tenant_id: str, sessions: sessionmaker, *, key_id: str | None = None,
           now: dt.datetime | None = None) -> None:
    """Stop a link for good; revoking a revoked link changes nothing (and records nothing)."""
    now = now or _now()
    with sessions.begin() as session:
        revoked = session.execute(
            update(ShareLink)
            .where(ShareLink.tenant_id == tenant_id, ShareLink.id == link_id, ShareLink.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(ShareLink.recommendation_id)
        ).scalar_one_or_none()
        if revoked is not None:
            audit.record(session, tenant_id=tenant_id, key_id=key_id, action="share_link.revoked",
                         subject_type="share_link", subject_id=link_id, at=now,
                         details={"recommendation_id": revoked})
            return
        exists = session.execute(select(ShareLink.id).where(ShareLink.tenant_id == tenant_id,
                                                            ShareLink.id == link_id)).first()
        if exists is None:
            raise _not_found(link_id)


def open_shared(token: str, sessions: sessionmaker, *, now: dt.datetime | None = None) -> dict | None:
    """The document a live link shows, with what belongs to its tenant alone taken out; None for a malformed,
    unknown, expired or revoked token alike (a malformed one costs no database lookup)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    wanted = digest(token)
    statement = (
        select(ShareLink.token_hash, RecommendationRecord.document)
        .join(RecommendationRecord, and_(RecommendationRecord.id == ShareLink.recommendation_id,
                                         RecommendationRecord.tenant_id == ShareLink.tenant_id))
        .where(ShareLink.token_hash == wanted, ShareLink.revoked_at.is_(None), ShareLink.expires_at > (now or _now()))
    )
    with sessions() as session:
        row = session.execute(statement).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return shared_document(json.loads(row.document))


def shared_document(document: dict) -> dict:
    """A stored recommendation as a share link shows it: the recommendation itself (profile, verdict, reasons,
    model and its hash), without the tenant's own references: the requisition's `external_id`, any `metadata`,
    and the name of any weight profile."""
    shown = copy.deepcopy(document)
    shown.pop("metadata", None)
    for part in ("profile", "model"):
        section = shown.get(part)
        if isinstance(section, dict):
            for name in ("external_id", "metadata", "weight_profile_name", "name"):
                section.pop(name, None)
    return shown


def purge(sessions: sessionmaker, *, now: dt.datetime | None = None) -> int:
    """Delete the links that expired or were revoked more than 30 days ago; returns how many."""
    from service.housekeeping import in_batches  # the purges' one way to delete a backlog in bounded steps

    cutoff = (now or _now()) - KEPT_AFTER_END
    return in_batches(sessions, ShareLink, ShareLink.id,
                      or_(ShareLink.expires_at < cutoff, ShareLink.revoked_at < cutoff))


def _recommendation_exists(session: Session, recommendation_id: str, tenant_id: str) -> None:
    found = session.execute(select(RecommendationRecord.id).where(
        RecommendationRecord.tenant_id == tenant_id, RecommendationRecord.id == recommendation_id)).first()
    if found is None:
        raise NotFound(f"No recommendation '{recommendation_id}'.")


def _document(link: ShareLink) -> dict:
    return {
        "id": link.id,
        "recommendation_id": link.recommendation_id,
        "created_at": rfc3339(link.created_at),
        "expires_at": rfc3339(link.expires_at),
        "revoked_at": rfc3339(link.revoked_at) if link.revoked_at is not None else None,
    }


def _not_found(link_id: str) -> NotFound:
    return NotFound(f"No share link '{link_id}'.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
