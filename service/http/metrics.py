"""Prometheus metrics: requests by route and status, latency, recommendations by outcome.

Under gunicorn the workers are separate processes; gunicorn.conf.py points
PROMETHEUS_MULTIPROC_DIR at a shared folder so /metrics, whichever worker
answers it, adds up every worker (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import functools
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

REQUESTS = Counter("hiremix_http_requests_total", "HTTP requests answered, by route and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("hiremix_http_request_duration_seconds", "Time to answer an HTTP request, by route.",
                    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
RECOMMENDATIONS = Counter("hiremix_recommendations_total", "Recommendations stored, by outcome.",
                          ["recommendation"])


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def recommendation_stored(outcome: str) -> None:
    RECOMMENDATIONS.labels(recommendation=outcome).inc()


def route() -> str:
    """The route template (/v1/recommendations/<id>), so ids do not explode the label set."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def exposition() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def elapsed() -> float | None:
    """Seconds since this request started (the one clock the metrics and the request log share)."""
    started = g.get("request_started")
    return None if started is None else time.perf_counter() - started


def register(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        seconds = elapsed()
        if seconds is not None:
            method = request.method if request.method in _METHODS else "other"  # callers choose the method
            latency, requests = _series(method, route(), response.status_code)
            latency.observe(seconds)
            requests.inc()
        return response


@functools.lru_cache(maxsize=4096)  # routes x methods x statuses: all of them, well within the bound
def _series(method: str, route_: str, status: int):
    """The latency and request-count series of one method, route and status (prometheus-client's `labels`
    checks and builds its key on every call)."""
    return (LATENCY.labels(method=method, route=route_),
            REQUESTS.labels(method=method, route=route_, status=str(status)))
