"""Settings from the environment (or a mapping, in tests), with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from service.db import default_database_url

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_RATE_LIMIT = "600/minute"
DEFAULT_AUTH_FAILURE_LIMIT = "30/minute"
ENVIRONMENTS = ("development", "production")


class ConfigurationError(ValueError):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_body_bytes: int
    database_timeout_s: float = 5.0
    key_cache_s: float = 5.0  # how long a process trusts a key it has looked up (0: look up every request)
    environment: str = "development"
    rate_limit: str = DEFAULT_RATE_LIMIT
    rate_limit_storage_uri: str = "memory://"
    rate_limit_key_prefix: str = "hiremix"
    auth_failure_limit: str = DEFAULT_AUTH_FAILURE_LIMIT  # refused keys (401/403) per client address
    metrics_token: str = ""  # production serves /metrics only to `Authorization: Bearer <this>`
    cors_origins: tuple[str, ...] = ()
    proxy_hops: int = 0  # trusted proxies in front (X-Forwarded-* of so many hops are believed)
    # Fernet keys that encrypt webhook signing secrets at rest: the first encrypts, all decrypt (rotation).
    encryption_keys: tuple[str, ...] = ()
    webhook_timeout_s: float = 10.0  # one delivery attempt, connect to last byte
    webhook_poll_s: float = 0.5  # how often an idle worker looks for due deliveries
    webhook_lock_s: float = 60.0  # a delivery a worker claimed is its own this long (a killed worker's comes back)
    webhook_disable_after_days: float = 5.0  # an endpoint failing every delivery this long is disabled
    webhook_retention_days: float = 30.0  # finished deliveries and their events are kept this long
    audit_retention_days: float = 365.0
    # The console (pages at /): signs its CSRF tokens with this; production refuses to start without its own.
    secret_key: str = ""
    console_session_s: float = 8 * 3600.0  # a console sign-in lasts this long, then asks for the key again

    def __post_init__(self):
        # A worker's claim must outlast an attempt (its hard time limit) with room for the work around it,
        # or another worker could send the same delivery while the first is still sending it.
        if self.webhook_lock_s < 2 * self.webhook_timeout_s + 1:
            raise ConfigurationError(
                f"HIREMIX_WEBHOOK_LOCK_SECONDS ({self.webhook_lock_s:g}) must be at least twice "
                f"HIREMIX_WEBHOOK_TIMEOUT ({self.webhook_timeout_s:g}) plus one second")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None) -> "Settings":
        """Settings from `overrides`, then the environment, then defaults."""
        source = {**os.environ, **(overrides or {})}
        environment = _choice(source, "HIREMIX_ENV", ENVIRONMENTS)
        # Flask's own rule: anything but 0, false, no or empty switches debug mode on.
        if environment == "production" and str(source.get("FLASK_DEBUG", "")).lower() not in ("", "0", "false", "no"):
            raise ConfigurationError("HIREMIX_ENV=production never runs in debug mode: unset FLASK_DEBUG (or --debug)")
        return cls(
            database_url=_database_url(source, "DATABASE_URL"),
            database_timeout_s=_seconds(source, "HIREMIX_DB_TIMEOUT", 5.0),
            key_cache_s=_seconds(source, "HIREMIX_KEY_CACHE_SECONDS", 5.0, allow_zero=True),
            max_body_bytes=_positive_int(source, "HIREMIX_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            environment=environment,
            rate_limit=_rate_limit(source, "HIREMIX_RATE_LIMIT"),
            auth_failure_limit=_rate_limit(source, "HIREMIX_AUTH_FAILURE_LIMIT", DEFAULT_AUTH_FAILURE_LIMIT),
            metrics_token=str(source.get("HIREMIX_METRICS_TOKEN") or ""),
            rate_limit_storage_uri=str(source.get("RATELIMIT_STORAGE_URI") or "memory://"),
            rate_limit_key_prefix=str(source.get("RATELIMIT_KEY_PREFIX") or "hiremix"),
            cors_origins=_origins(source, "HIREMIX_CORS_ORIGINS"),
            proxy_hops=_count(source, "HIREMIX_PROXY_HOPS", 0, 5),
            encryption_keys=_encryption_keys(source, "HIREMIX_ENCRYPTION_KEYS", environment),
            webhook_timeout_s=_seconds(source, "HIREMIX_WEBHOOK_TIMEOUT", 10.0),
            webhook_poll_s=_seconds(source, "HIREMIX_WEBHOOK_POLL_SECONDS", 0.5),
            webhook_lock_s=_seconds(source, "HIREMIX_WEBHOOK_LOCK_SECONDS", 60.0),
            webhook_disable_after_days=_days(source, "HIREMIX_WEBHOOK_DISABLE_AFTER_DAYS", 5.0),
            webhook_retention_days=_days(source, "HIREMIX_WEBHOOK_RETENTION_DAYS", 30.0),
            audit_retention_days=_days(source, "HIREMIX_AUDIT_RETENTION_DAYS", 365.0),
            secret_key=_secret_key(source, "HIREMIX_SECRET_KEY", environment),
            console_session_s=_seconds(source, "HIREMIX_CONSOLE_SESSION_HOURS", 8.0, low=0.01, high=24 * 30,
                                       unit="hours") * 3600,
        )


def _positive_int(source: Mapping[str, object], name: str, default: int) -> int:
    raw = source.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a whole number of bytes, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, got {raw!r}")
    return value


def _count(source: Mapping[str, object], name: str, default: int, most: int) -> int:
    raw = str(source.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > most:
        raise ConfigurationError(f"{name} must be a whole number from 0 to {most}, got {raw!r}")
    return int(raw)


def _database_url(source: Mapping[str, object], name: str) -> str:
    raw = str(source.get(name) or default_database_url())
    try:
        backend = make_url(raw).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"{name} is not a database URL (try postgresql+psycopg://user:password@host:5432/db or sqlite:///var/hiremix.db)"
        ) from None
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise ConfigurationError(f"{name} names the {backend!r} database; hiremix runs on PostgreSQL or SQLite")
    return raw


def _seconds(source: Mapping[str, object], name: str, default: float, *, allow_zero: bool = False,
             low: float = 0.1, high: float = 300, unit: str = "seconds") -> float:
    raw = source.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if allow_zero and value == 0:
        return 0.0
    if not low <= value <= high:
        lowest = f"0 or {low:g}" if allow_zero else f"{low:g}"
        raise ConfigurationError(f"{name} must be a number of {unit} from {lowest} to {high:g}, got {raw!r}")
    return value


def _choice(source: Mapping[str, object], name: str, allowed: tuple[str, ...]) -> str:
    raw = str(source.get(name) or allowed[0]).strip().lower()
    if raw not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}; got {source.get(name)!r}")
    return raw


def _rate_limit(source: Mapping[str, object], name: str, default: str = DEFAULT_RATE_LIMIT) -> str:
    raw = str(source.get(name) or default).strip()
    try:
        if any(item.amount < 1 for item in parse_many(raw)):
            raise ValueError(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name} must look like '600/minute' or '10/second;600/hour'; got {raw!r}"
        ) from None
    return raw


def _origins(source: Mapping[str, object], name: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in str(source.get(name) or "").split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"{name} must list origins such as https://ats.example.com, comma-separated; got {origin!r}"
            )
    return origins


# Development only: a fixed, published key, so `make run` needs no setup. Production refuses to start without
# HIREMIX_ENCRYPTION_KEYS (and never accepts this one).
DEVELOPMENT_ENCRYPTION_KEY = "aGlyZW1peC1kZXZlbG9wbWVudC1rZXktbm90LXNlY3I="


def _own_secret(source: Mapping[str, object], name: str, environment: str, purpose: str, make: str) -> str:
    """A secret setting: as given; left out, "" in development (which then uses its published value), while
    production refuses to start, saying what it is for and how to make one."""
    raw = str(source.get(name) or "").strip()
    if not raw and environment == "production":
        raise ConfigurationError(f"{name} is required in production: it {purpose}. Make one with {make}")
    return raw


def _encryption_keys(source: Mapping[str, object], name: str, environment: str) -> tuple[str, ...]:
    raw = _own_secret(source, name, environment, "encrypts webhook signing secrets",
                      "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    if not raw:
        return (DEVELOPMENT_ENCRYPTION_KEY,)
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    from cryptography.fernet import Fernet

    for index, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{name}: key {index} is not a Fernet key (32 url-safe base64-encoded bytes); the first key "
                "encrypts, every key decrypts, comma-separated") from None
        if environment == "production" and key == DEVELOPMENT_ENCRYPTION_KEY:
            raise ConfigurationError(f"{name}: the development key is public; make a key of your own for production")
    return keys


def _days(source: Mapping[str, object], name: str, default: float) -> float:
    return _seconds(source, name, default, low=0.01, high=3650, unit="days")


# Development only, like the encryption key: fixed and published, so `make run` needs no setup.
DEVELOPMENT_SECRET_KEY = "hiremix-development-secret-key-not-secret"
SECRET_KEY_MIN = 32


def _secret_key(source: Mapping[str, object], name: str, environment: str) -> str:
    raw = _own_secret(source, name, environment, "signs the console's forms",
                      "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not raw:
        return DEVELOPMENT_SECRET_KEY
    if environment == "production" and (raw == DEVELOPMENT_SECRET_KEY or len(raw) < SECRET_KEY_MIN):
        raise ConfigurationError(f"{name} must be a secret of your own, at least {SECRET_KEY_MIN} characters")
    return raw
