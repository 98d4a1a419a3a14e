"""Rate limits per API key with Flask-Limiter.

One budget per key across every endpoint (an application-wide limit keyed by
the key's id), counted in the storage RATELIMIT_STORAGE_URI names: memory for
one process, Redis so several workers or hosts share the count. Requests
without a key (the OpenAPI document, problem types) are not counted, but for
the public pages (`security.public_page`, a share link's page): each client
address has one budget of the same size across them.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import HeaderNames, Limiter
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from service.config import Settings
from service.errors import HiremixError

log = logging.getLogger("hiremix")

HEADERS = {
    HeaderNames.LIMIT: "RateLimit-Limit",
    HeaderNames.REMAINING: "RateLimit-Remaining",
    HeaderNames.RESET: "RateLimit-Reset",
    HeaderNames.RETRY_AFTER: "Retry-After",
}


# The attribute `security.public_page` sets on a view: its requests are counted per client address.
PER_ADDRESS = "_rate_limited_per_address"


def _per_address() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, PER_ADDRESS, False)


def _key() -> str:
    principal = g.get("principal")
    if principal is not None:
        return f"key:{principal.key_id}"
    # The address ProxyFix took from X-Forwarded-For as far as the configured hops: a client cannot pick it.
    return f"address:{request.remote_addr or '-'}" if _per_address() else "anonymous"


def _storage_options(uri: str) -> dict:
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_timeout": 1, "socket_connect_timeout": 1}
    return {}


class TooManyRefusals(HiremixError):
    status = 429
    code = "rate_limited"

    def __init__(self, seconds: int):
        super().__init__(f"Too many refused API keys from your address; retry after {seconds} seconds.")
        self.headers = {"Retry-After": str(seconds)}


class RefusalBudget:
    """How many refused keys (401 and 403) one client address may send in a window
    (HIREMIX_AUTH_FAILURE_LIMIT): each guess costs a database lookup, so guessing is rate-limited too.

    Counted in the same storage as the per-key limits; while that storage is unreachable, each process
    counts on its own for a while, as Flask-Limiter does, and says so in the log.
    """

    RETRY_STORAGE_AFTER_S = 30.0

    def __init__(self, settings: Settings):
        self.limits = parse_many(settings.auth_failure_limit)
        self.prefix = settings.rate_limit_key_prefix
        uri = settings.rate_limit_storage_uri
        self._shared = FixedWindowRateLimiter(storage_from_string(uri, **_storage_options(uri)))
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._shared_down_until = 0.0

    def seconds_to_wait(self, address: str) -> int | None:
        """None while `address` may still be refused; else the seconds until it may try again."""
        for limit in self.limits:
            if not self._call("test", limit, address):
                reset = self._call("get_window_stats", limit, address).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None

    def count(self, address: str) -> None:
        for limit in self.limits:
            self._call("hit", limit, address)

    def _call(self, method: str, limit, address: str):
        if time.monotonic() >= self._shared_down_until:
            try:
                return getattr(self._shared, method)(limit, self.prefix, "refused", address)
            except Exception as error:  # noqa: BLE001 (any storage failure: Redis down, stalled, refusing)
                self._shared_down_until = time.monotonic() + self.RETRY_STORAGE_AFTER_S
                log.warning("rate-limit storage unreachable (%s); counting refused keys in this process for %d s",
                            error.__class__.__name__, self.RETRY_STORAGE_AFTER_S)
        return getattr(self._local, method)(limit, self.prefix, "refused", address)


class _StorageWarnings(logging.Handler):
    """Flask-Limiter's own warnings (Redis unreachable, counting falls back to this process) through the
    hiremix log, in every environment: the library gives its logger only a NullHandler."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            log.warning("rate limits: %s", record.getMessage())


def register(app: Flask, settings: Settings) -> Limiter:
    limiter = Limiter(
        key_func=_key,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=lambda: g.get("principal") is None and not _per_address(),
        storage_uri=settings.rate_limit_storage_uri,
        # A stalled Redis must fail fast (then counting falls back to this process), not hang requests.
        storage_options=_storage_options(settings.rate_limit_storage_uri),
        key_prefix=settings.rate_limit_key_prefix,
        strategy="fixed-window",
        headers_enabled=True,
        header_name_mapping=HEADERS,
        # An unreachable Redis must not turn every request into a 500: count
        # per process until it is back, and say so in the log.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )

    # Registered before the limiter's own hook, so Flask runs it after that
    # hook has written the headers (after_request runs in reverse order).
    @app.after_request
    def _reset_as_seconds(response: Response) -> Response:
        # Flask-Limiter writes the reset moment as a Unix time; the IETF
        # RateLimit header draft (and GitHub, Zalando) give seconds from now.
        reset = response.headers.get("RateLimit-Reset")
        if reset is None:
            return response
        try:
            seconds = str(max(0, math.ceil(float(reset) - time.time())))
        except ValueError:
            return response
        response.headers["RateLimit-Reset"] = seconds
        if response.status_code == 429:
            response.headers["Retry-After"] = seconds
        elif g.get("retry_after") is not None:  # a 503 or 409 of ours: keep the wait it asked for
            response.headers["Retry-After"] = g.retry_after
        else:
            # Flask-Limiter adds Retry-After to every answer; it only means something on a refusal.
            response.headers.pop("Retry-After", None)
        return response

    limiter.init_app(app)
    library_log = logging.getLogger("flask-limiter")
    if not any(isinstance(handler, _StorageWarnings) for handler in library_log.handlers):
        library_log.addHandler(_StorageWarnings())
    return limiter
