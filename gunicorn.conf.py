"""gunicorn settings for hiremix: `gunicorn -c gunicorn.conf.py 'service:create_app()'`.

Everything comes from the environment, with defaults that suit the machine:

    HIREMIX_BIND        host:port; default $HIREMIX_HOST:$PORT (127.0.0.1 and 8000; the image: 0.0.0.0)
    HIREMIX_WORKERS     worker processes; default 2 x CPUs + 1, at most 8
    HIREMIX_THREADS     threads per worker; default 1 (more than 1 switches to the gthread worker)
    HIREMIX_WORKER_TIMEOUT  seconds a request may take before its worker is replaced; default 30
    HIREMIX_GRACEFUL_TIMEOUT  seconds to finish requests in flight on SIGTERM; default 20

A configuration error (a malformed DATABASE_URL, a bad rate limit) stops the
start with one line on stderr, before any worker is forked.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from service.config import ConfigurationError, Settings


def _int(name: str, default: int, low: int = 1, high: int = 10_000) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        sys.stderr.write(f"hiremix: {name} must be a whole number from {low} to {high}, got {raw!r}\n")
        sys.exit(2)
    return int(raw)


try:
    _settings = Settings.load()
except ConfigurationError as error:
    sys.stderr.write(f"hiremix: configuration error: {error}\n")
    sys.exit(2)

_host = os.environ.get("HIREMIX_HOST") or "127.0.0.1"
if ":" in _host and not _host.startswith("["):
    _host = f"[{_host}]"  # an IPv6 address
bind = os.environ.get("HIREMIX_BIND") or f"{_host}:{_int('PORT', 8000, 1, 65535)}"
workers = _int("HIREMIX_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8), 1, 64)
threads = _int("HIREMIX_THREADS", 1, 1, 64)
timeout = _int("HIREMIX_WORKER_TIMEOUT", 30, 1, 3600)
graceful_timeout = _int("HIREMIX_GRACEFUL_TIMEOUT", 20, 1, 3600)
keepalive = 5
# gunicorn's control socket lives at one path per user (~/.gunicorn/gunicorn.ctl), so every instance
# on a host would share it; hiremix needs none.
control_socket_disable = True
# In memory, each worker counts a key's requests alone: N workers let N times the limit through.
if _settings.production and workers > 1 and not os.environ.get("RATELIMIT_STORAGE_URI"):
    sys.stderr.write(f"hiremix: configuration error: HIREMIX_ENV=production with {workers} workers needs a shared "
                     "rate-limit store: set RATELIMIT_STORAGE_URI=redis://host:6379/0 (or memory:// to count per "
                     "worker on purpose)\n")
    sys.exit(2)
# One request may wait on the database up to about three times the timeout (a failed ping, a
# reconnect, freeing an idempotency key); all of that must fit before gunicorn kills the worker.
if 3 * _settings.database_timeout_s >= timeout:
    sys.stderr.write(f"hiremix: HIREMIX_DB_TIMEOUT ({_settings.database_timeout_s:g} s) must be under a third of "
                     f"HIREMIX_WORKER_TIMEOUT ({timeout} s), or slow requests end as killed workers\n")
    sys.exit(2)
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files in memory: a container's disk can be slow
# Large enough headers for long bearer keys; small enough to refuse abuse early.
limit_request_field_size = 8190

# The app writes the access log itself: one line per request with its request
# id, tenant, route, status and duration (JSON with HIREMIX_ENV=production).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("HIREMIX_LOG_LEVEL", "info").lower()
if loglevel not in ("debug", "info", "warning", "error", "critical"):
    sys.stderr.write(f"hiremix: HIREMIX_LOG_LEVEL must be debug, info, warning, error or critical, got {loglevel!r}\n")
    sys.exit(2)
if _settings.production:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                                "rename_fields": {"asctime": "time", "levelname": "level"}}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        # Other libraries' warnings (a Redis client that cannot connect, say) as JSON too.
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
                    # the app writes the richer access line itself
                    "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
                    # hiremix has a handler of its own: do not print its lines twice
                    "hiremix": {"level": "INFO", "propagate": False}},
    }

# Prometheus: every worker writes its numbers to a shared folder so /metrics adds them up.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hiremix-metrics-")
    _master = os.getpid()
    # Removed when the master exits, however it exits (also after a reload, or a failed start);
    # workers inherit the handler, hence the pid check.
    atexit.register(lambda: os.getpid() == _master and shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"],
                                                                      ignore_errors=True))


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # numbers of an earlier run would be added in; nothing else is touched
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
