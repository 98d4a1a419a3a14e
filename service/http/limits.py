"""Rate limits per API key with Flask-Limiter.

One budget per key across every endpoint (an application-wide limit keyed by
the key's id), counted in the storage RATELIMIT_STORAGE_URI names: memory for
one process, Redis so several workers or hosts share the count. Requests
without a key (the OpenAPI document, problem types) are not counted.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, g
from flask_limiter import HeaderNames, Limiter

from service.config import Settings

log = logging.getLogger("hiremix")

HEADERS = {
    HeaderNames.LIMIT: "RateLimit-Limit",
    HeaderNames.REMAINING: "RateLimit-Remaining",
    HeaderNames.RESET: "RateLimit-Reset",
    HeaderNames.RETRY_AFTER: "Retry-After",
}


def _key() -> str:
    principal = g.get("principal")
    return f"key:{principal.key_id}" if principal is not None else "anonymous"


def _storage_options(uri: str) -> dict:
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_timeout": 1, "socket_connect_timeout": 1}
    return {}


def register(app: Flask, settings: Settings) -> Limiter:
    limiter = Limiter(
        key_func=_key,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=lambda: g.get("principal") is None,
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
    return limiter
