"""Rate limits per API key, counted with `limits` (the library under Flask-Limiter), called directly.

One budget per key across every endpoint, counted in the storage
RATELIMIT_STORAGE_URI names: memory for one process, Redis so several workers
or hosts share the count. Requests without a key (the OpenAPI document,
problem types) are not counted, but for the public pages
(`security.public_page`, a share link's page): each client address has one
budget of the same size across them.

Flask-Limiter did the same with several storage calls and a resolution of
decorated limits on every request; hiremix has one application-wide budget,
so a request costs one `hit` and one `get_window_stats` per limit it
reports (see docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
import threading
import time

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from service.config import Settings
from service.errors import HiremixError

log = logging.getLogger("hiremix")

# The attribute `security.public_page` sets on a view: its requests are counted per client address.
PER_ADDRESS = "_rate_limited_per_address"


def _per_address() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, PER_ADDRESS, False)


def _counted_as() -> str | None:
    """Whose budget this request spends: its key's, its address's on a public page, or nobody's (None)."""
    principal = g.get("principal")
    if principal is not None:
        return f"key:{principal.key_id}"
    # The address ProxyFix took from X-Forwarded-For as far as the configured hops: a client cannot pick it.
    return f"address:{request.remote_addr or '-'}" if _per_address() else None


def _storage_options(uri: str) -> dict:
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_timeout": 1, "socket_connect_timeout": 1}
    return {}


class RateLimited(HiremixError):
    status = 429
    code = "rate_limited"

    def __init__(self, limit: RateLimitItem, seconds: int, *, by_address: bool = False):
        whose = "from your address" if by_address else "with this API key"
        super().__init__(f"More than {limit} {whose}; retry after the seconds in Retry-After.")
        self.headers = {"Retry-After": str(seconds)}


class TooManyRefusals(HiremixError):
    status = 429
    code = "rate_limited"

    def __init__(self, seconds: int):
        super().__init__(f"Too many refused API keys from your address; retry after {seconds} seconds.")
        self.headers = {"Retry-After": str(seconds)}


class _MemoryStorage(MemoryStorage):
    """limits' in-memory counters, with their sweep of expired counters run on the calling thread, at most once
    a second.

    MemoryStorage starts a new timer thread for that sweep whenever its previous one has ended, which on a
    worker busy with requests of 10 ms or more meant a thread started per request (measured: more than the
    rest of the request's rate limiting). A counter still expires on its own when it is next read
    (MemoryStorage.get); the sweep only drops the ones nobody reads again (fixed windows keep no events, so
    counters and their expiry times are all there is to drop). limits names the hook privately: the
    check below stops the import (even under python -O, which drops asserts) if a release renames it.
    """

    SWEEP_EVERY_S = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:
        if time.monotonic() < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return  # not due, or another thread of this worker is sweeping
        try:
            self._next_sweep = time.monotonic() + self.SWEEP_EVERY_S
            now = time.time()
            # Each counter read and dropped with .pop(..., None): a request thread's own read (MemoryStorage.get)
            # may drop the same counter at the same moment.
            for key, expires in list(self.expirations.items()):
                if expires <= now:
                    self.storage.pop(key, None)
                    self.expirations.pop(key, None)
                    self.locks.pop(key, None)
        finally:
            self._sweeping.release()


if not callable(getattr(MemoryStorage, "_MemoryStorage__schedule_expiry", None)):
    raise ImportError("this release of limits renamed MemoryStorage's sweep hook (_MemoryStorage__schedule_expiry); "
                      "service/http/limits.py's _MemoryStorage must follow it")


def _storage(uri: str):
    if uri.split(":", 1)[0] == "memory":
        return _MemoryStorage()
    return storage_from_string(uri, **_storage_options(uri))


class _Counter:
    """Fixed windows in the configured storage; while that storage is unreachable (Redis down, stalled,
    refusing), this process counts on its own for RETRY_STORAGE_AFTER_S, then tries the storage again,
    and says so in the log."""

    RETRY_STORAGE_AFTER_S = 30.0

    def __init__(self, settings: Settings, what: str):
        self.prefix = settings.rate_limit_key_prefix
        self.what = what
        self._shared = FixedWindowRateLimiter(_storage(settings.rate_limit_storage_uri))
        self._local = FixedWindowRateLimiter(_MemoryStorage())
        self._shared_down_until = 0.0

    def call(self, method: str, limit: RateLimitItem, *identifiers: str):
        if time.monotonic() >= self._shared_down_until:
            try:
                return getattr(self._shared, method)(limit, self.prefix, *identifiers)
            except Exception as error:  # noqa: BLE001 (any storage failure)
                self._shared_down_until = time.monotonic() + self.RETRY_STORAGE_AFTER_S
                log.warning("rate-limit storage unreachable (%s); counting %s in this process (in-memory) "
                            "for %d s", error.__class__.__name__, self.what, self.RETRY_STORAGE_AFTER_S)
        return getattr(self._local, method)(limit, self.prefix, *identifiers)


class RateLimits:
    """The budget of HIREMIX_RATE_LIMIT (one or more limits, such as 600/minute;10000/day) per key."""

    def __init__(self, settings: Settings):
        self.limits = sorted(parse_many(settings.rate_limit))  # the shortest window first, as it is reported
        self._counter = _Counter(settings, "requests per key")

    def spend(self, who: str) -> tuple[RateLimitItem, int, float, bool]:
        """Count one request of `who` against each limit, the shortest window first, up to the first one that
        is spent: (the limit to report, requests left in its window, when the window resets, whether refused)."""
        reported, refused = self.limits[0], False
        for limit in self.limits:
            if not self._counter.call("hit", limit, who, "global"):
                reported, refused = limit, True
                break
        stats = self._counter.call("get_window_stats", reported, who, "global")
        return reported, stats.remaining, stats.reset_time, refused


class RefusalBudget:
    """How many refused keys (401 and 403) one client address may send in a window
    (HIREMIX_AUTH_FAILURE_LIMIT): each guess costs a database lookup, so guessing is rate-limited too.
    Counted in the same storage as the per-key limits."""

    def __init__(self, settings: Settings):
        self.limits = parse_many(settings.auth_failure_limit)
        self._counter = _Counter(settings, "refused keys")

    def seconds_to_wait(self, address: str) -> int | None:
        """None while `address` may still be refused; else the seconds until it may try again."""
        for limit in self.limits:
            if not self._counter.call("test", limit, "refused", address):
                reset = self._counter.call("get_window_stats", limit, "refused", address).reset_time
                return _seconds_until(reset)
        return None

    def count(self, address: str) -> None:
        for limit in self.limits:
            self._counter.call("hit", limit, "refused", address)


def _seconds_until(moment: float) -> int:
    return max(1, math.ceil(moment - time.time()))


def seconds_left(reset_at: float, now: float) -> int:
    """Whole seconds from `now` until a window that ends at `reset_at` has surely ended. The end is first
    rounded up to the next whole second, as Flask-Limiter reported it: Redis gives it from a TTL rounded to
    the nearest second, which can put it up to half a second early (and a refusal's Retry-After at 0)."""
    return max(0, math.ceil(int(reset_at + 1) - now))


def register(app: Flask, settings: Settings) -> RateLimits:
    """Count every keyed request (and every public page's, per address) before its view runs; answer
    429 once the budget is spent; tell every counted answer how much is left (IETF RateLimit headers,
    as GitHub and Zalando give them: the reset in seconds from now)."""
    budget = RateLimits(settings)

    @app.before_request
    def _spend():
        who = _counted_as()
        if who is None:
            return
        limit, remaining, reset_at, refused = budget.spend(who)
        seconds = seconds_left(reset_at, time.time())
        g.rate_limit_headers = {"RateLimit-Limit": str(limit.amount), "RateLimit-Remaining": str(remaining),
                                "RateLimit-Reset": str(seconds)}
        if refused:
            raise RateLimited(limit, seconds, by_address=who.startswith("address:"))

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = g.get("rate_limit_headers")
        if headers is not None:
            response.headers.update(headers)
        return response

    return budget
