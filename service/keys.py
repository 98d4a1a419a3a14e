"""Tenants and API keys: creation, lookup, revocation.

A key is `hk_live_` or `hk_test_` followed by 40 random base-62 characters
(about 238 bits). Only its SHA-256 is stored; the key itself is shown once.
Lookup goes through the hash's unique index, and the stored hash is then
compared with `hmac.compare_digest`, so no secret is ever compared byte by byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import string
import time
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import sessionmaker

from service.audit import log as audit
from service.ids import new_id
from service.orm import ApiKey, Tenant

SCOPES = ("recommendations:read", "recommendations:write", "weight_profiles:read", "weight_profiles:write",
          "webhooks:manage", "audit:read", "admin")
# A new key gets every scope but these two: the audit log shows what every key of the tenant did, and `admin`
# holds every scope. Migration 0005 gave `webhooks:manage` to the keys that held every default before it.
DEFAULT_SCOPES = tuple(scope for scope in SCOPES if scope not in ("admin", "audit:read"))
LIVE_PREFIX = "hk_live_"
TEST_PREFIX = "hk_test_"
_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 40
KEY_PATTERN = re.compile(r"^hk_(?:live|test)_[A-Za-z0-9]{40}$")


class KeyCommandError(ValueError):
    """A key command cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its tenant and what it may do."""

    key_id: str
    tenant_id: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class KeyInfo:
    id: str
    tenant_id: str
    tenant_name: str
    name: str
    hint: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class NewKey:
    info: KeyInfo
    secret: str  # the key itself: shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyCache:
    """Keys a process has recently found active, by digest, for `seconds`: most requests then need no lookup.

    Only found keys are kept (a flood of wrong keys cannot grow it), at most `size` of them. The price is
    that revoking a key takes effect in every process within `seconds`.
    """

    def __init__(self, seconds: float, size: int = 10_000, clock=time.monotonic):
        self.seconds, self.size, self.clock = seconds, size, clock
        self._found: dict[str, tuple[float, Principal]] = {}

    def known(self, secret: str) -> Principal | None:
        """The principal of a key found active within the last `seconds`, without a lookup; else None."""
        cached = self._found.get(digest(secret)) if self.seconds > 0 and secret else None
        return cached[1] if cached is not None and cached[0] > self.clock() else None

    def authenticate(self, secret: str, sessions: sessionmaker) -> Principal | None:
        if self.seconds <= 0 or not KEY_PATTERN.match(secret):
            return authenticate(secret, sessions)
        wanted, now = digest(secret), self.clock()
        cached = self._found.get(wanted)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = authenticate(secret, sessions)
        if found is None:
            self._found.pop(wanted, None)
        else:
            if len(self._found) >= self.size:
                self._found.clear()
            self._found[wanted] = (now + self.seconds, found)
        return found


def authenticate(secret: str, sessions: sessionmaker) -> Principal | None:
    """The principal of an active key, or None for an unknown, malformed or revoked one."""
    if not KEY_PATTERN.match(secret):
        return None
    wanted = digest(secret)
    query = select(ApiKey.id, ApiKey.tenant_id, ApiKey.scopes, ApiKey.secret_hash).where(
        ApiKey.secret_hash == wanted, ApiKey.revoked_at.is_(None)
    )
    with sessions() as session:
        row = session.execute(query).first()
    if row is None or not hmac.compare_digest(row.secret_hash, wanted):
        return None
    return Principal(key_id=row.id, tenant_id=row.tenant_id, scopes=frozenset(row.scopes.split()))


def create_key(
    sessions: sessionmaker,
    *,
    name: str,
    tenant: str | None = None,
    scopes: tuple[str, ...] = (),
    live: bool = False,
) -> NewKey:
    """A new key for `tenant` (an id or name), or for a new tenant called `name`."""
    name = name.strip()
    if not name or len(name) > 200:
        raise KeyCommandError("--name must be 1 to 200 characters")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise KeyCommandError(f"unknown scope {', '.join(unknown)}; choose from {', '.join(SCOPES)}")
    chosen = tuple(s for s in SCOPES if s in scopes) if scopes else DEFAULT_SCOPES
    now = dt.datetime.now(dt.timezone.utc)
    secret = (LIVE_PREFIX if live else TEST_PREFIX) + "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    with sessions.begin() as session:
        if tenant is None:
            owner = Tenant(id=new_id("ten"), name=name, created_at=now)
            session.add(owner)
            session.flush()  # the tenant row must exist before the key's foreign key names it
        else:
            owner = _find_tenant(session, tenant)
        record = ApiKey(
            id=new_id("key"),
            tenant_id=owner.id,
            name=name,
            secret_hash=digest(secret),
            hint=f"{secret[:len(TEST_PREFIX)]}...{secret[-4:]}",
            scopes=" ".join(chosen),
            created_at=now,
        )
        session.add(record)
        session.flush()
        audit.record(session, tenant_id=owner.id, key_id=None, action="api_key.created", subject_type="api_key",
                     subject_id=record.id, details={"scopes": list(chosen)}, at=now)
        info = _info(record, owner)
    return NewKey(info=info, secret=secret)


def list_keys(sessions: sessionmaker) -> list[KeyInfo]:
    query = select(ApiKey, Tenant).join(Tenant, ApiKey.tenant_id == Tenant.id).order_by(ApiKey.created_at, ApiKey.id)
    with sessions() as session:
        return [_info(key, tenant) for key, tenant in session.execute(query)]


def revoke(key_id: str, sessions: sessionmaker) -> KeyInfo:
    """Revoke a key for good; revoking a revoked key changes nothing."""
    now = dt.datetime.now(dt.timezone.utc)
    with sessions.begin() as session:
        revoked = session.execute(
            update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)).rowcount
        row = session.execute(
            select(ApiKey, Tenant).join(Tenant, ApiKey.tenant_id == Tenant.id).where(ApiKey.id == key_id)
        ).first()
        if row is None:
            raise KeyCommandError(f"no key {key_id!r}; `flask --app service keys list` shows the ids")
        if revoked:
            audit.record(session, tenant_id=row[0].tenant_id, key_id=None, action="api_key.revoked",
                         subject_type="api_key", subject_id=key_id, at=now)
        return _info(*row)


def has_active_key(sessions: sessionmaker) -> bool:
    with sessions() as session:
        return session.execute(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)).first() is not None


def _find_tenant(session, tenant: str) -> Tenant:
    matches = session.execute(select(Tenant).where(or_(Tenant.id == tenant, Tenant.name == tenant))).scalars().all()
    if not matches:
        raise KeyCommandError(f"no tenant {tenant!r}; leave out --tenant to create one")
    if len(matches) > 1:
        ids = ", ".join(sorted(t.id for t in matches))
        raise KeyCommandError(f"several tenants are called {tenant!r} ({ids}); name one by its id")
    return matches[0]


def _info(key: ApiKey, tenant: Tenant) -> KeyInfo:
    return KeyInfo(
        id=key.id,
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        name=key.name,
        hint=key.hint,
        scopes=tuple(key.scopes.split()),
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )
