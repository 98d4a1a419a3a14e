"""Where a request's time goes: py-spy samples of a loaded gunicorn worker, summed by phase.

Serves hiremix with one gunicorn worker (gunicorn.conf.py, rate limit raised
as in benchmarks/serving.py), keeps it busy with wrk (2 connections, so the
worker never waits for work), records the worker with `py-spy record --idle`
and sorts every sample of the request thread into one phase: the API key
lookup, the rate limiter, reading and validating the body, the engine, the
document dump, the database, the request log, metrics, and what gunicorn,
Werkzeug and Flask do for any request. A sample counts for the outermost
phase on its stack, so a SQL query made by the key lookup counts as the key
lookup.

py-spy is not a dependency of hiremix: `.venv/bin/pip install py-spy` (it
needs permission to ptrace, as root or with CAP_SYS_PTRACE).

    .venv/bin/python -m benchmarks.profile_phases [--db sqlite|postgresql] [--seconds 15] [preview create list batch]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.serving import (BATCH_SIZE, DEFAULT_POSTGRES, LUA, PROFILE, RATE_LIMIT, batch_profiles, children,
                                gunicorn, prepare_database, scratch_postgres)

ENDPOINTS = {
    "preview": ("POST", "/v1/recommendations/preview"),
    "create": ("POST", "/v1/recommendations"),
    "list": ("GET", "/v1/recommendations"),
    "batch": ("POST", "/v1/recommendations/batch"),  # BATCH_SIZE profiles, as the serving benchmark sends
}

# The first (outermost) frame of a stack that matches decides its phase.
PHASES = [
    ("waiting for the client to close (gunicorn)", r"close_graceful \(gunicorn/"),
    ("waiting for a connection (gunicorn)", r"SyncWorker\.wait \(|select \(selectors"),
    ("API key lookup (keys.authenticate)", r"_authenticate \(service/http/security\.py"),
    ("rate limiter (limits)", r"\(limits/|\(service/http/limits\.py"),
    ("idempotency", r"\(service/idempotency\.py|_canonical_body \(service/http/idempotent\.py"),
    ("weights lookup", r"\(service/weight_profiles\.py"),
    ("body/query: read, JSON parse, marshmallow load",
     r"read_json \(service/http/apidoc\.py|Schema\.load \(marshmallow/"),
    ("document: dump (schemas/serializer.py)", r"Schema\.dump \(marshmallow/|\(schemas/serializer\.py|<compiled "),
    ("engine (service/engine)", r"\(service/engine/"),
    ("database write (insert, commit)",
     r"sessionmaker\.begin \(|_GeneratorContextManager\.__(enter|exit)__ \(contextlib"
     r"|RecommendationRepository\.(add|insert) \(|_stored \(service/recommendations\.py"),
    ("database read (list, fetch)", r"(newest|fetch) \(service/recommendations\.py"),
    ("row, id, timestamps", r"stored_row \(|RecommendationRecord|_declarative_constructor|new_id \(service/ids|rfc3339 \("),
    ("JSON encode (orjson, json_response)", r"to_json(_bytes)? \(service/|json_response \(service/"),
    ("request log (access_log)", r"_log_request \(service/http/access_log\.py"),
    ("metrics (Prometheus)", r"_count \(service/http/metrics\.py|recommendation_stored \(|\(prometheus_client/"),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in PHASES]
FRAMEWORK = "gunicorn, Werkzeug, Flask (any request)"
OTHER_APP = "other hiremix code"


def phase(stack: list[str]) -> str:
    for frame in stack:
        for name, pattern in _COMPILED:
            if pattern.search(frame):
                return name
    if any("(service/" in frame or "(schemas/" in frame for frame in stack):
        return OTHER_APP
    return FRAMEWORK


def shares(raw: Path) -> tuple[Counter, int]:
    """Samples per phase of the request thread (the one running gunicorn's SyncWorker), and their total."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "SyncWorker" not in stack:  # another thread (SQLAlchemy's pool, say)
            continue
        counts[phase(stack.split(";"))] += int(count)
    return counts, sum(counts.values())


def record(server, method: str, path: str, key: str, seconds: float, rate: int, py_spy: str, files: Path) -> Path:
    body = files / "profile.json"
    body.write_text(json.dumps({"items": batch_profiles(BATCH_SIZE)} if path.endswith("/batch") else PROFILE))
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_KEY": key,
           "BENCH_BODY_FILE": str(body) if method == "POST" else ""}
    load = subprocess.Popen(["wrk", "-t1", "-c2", f"-d{round(seconds) + 5}s", "-s", str(LUA / "request.lua"),
                             server.base + path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    raw = files / f"{path.strip('/').replace('/', '-')}.txt"
    try:
        time.sleep(2)  # warm
        worker = children(server.process.pid)[0]
        subprocess.run([py_spy, "record", "--pid", str(worker), "--duration", str(round(seconds)), "--rate", str(rate),
                        "--idle", "--format", "raw", "--output", str(raw)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finally:
        load.wait()
    server.check()
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="*", metavar="endpoint",
                        help=f"any of {', '.join(ENDPOINTS)} (default: all, in that order)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    parser.add_argument("--keep", action="store_true", help="keep the raw py-spy files (flamegraph input)")
    args = parser.parse_args()
    args.endpoints = args.endpoints or list(ENDPOINTS)
    unknown = set(args.endpoints) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoint {', '.join(sorted(unknown))}; choose from {', '.join(ENDPOINTS)}")
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        sys.exit("needs py-spy: .venv/bin/pip install py-spy")
    files = Path(tempfile.mkdtemp(prefix="hiremix-profile-"))
    env = {**os.environ, "HIREMIX_RATE_LIMIT": RATE_LIMIT, "HIREMIX_WORKERS": "1", "HIREMIX_GRACEFUL_TIMEOUT": "5"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    columns: dict[str, tuple[Counter, int]] = {}
    try:
        with contextlib.ExitStack() as stack:
            if args.db == "sqlite":
                url = f"sqlite:///{files / 'hiremix.db'}"
            else:
                url = stack.enter_context(scratch_postgres(args.postgres_url))
            env["DATABASE_URL"] = url
            key = prepare_database(env)
            server = stack.enter_context(gunicorn("service:create_app()", env, files, "hiremix"))
            if "list" in args.endpoints and "create" not in args.endpoints:
                record(server, *ENDPOINTS["create"], key, 3, args.rate, py_spy, files)  # something to list
            for name in args.endpoints:
                columns[name] = shares(record(server, *ENDPOINTS[name], key, args.seconds, args.rate, py_spy, files))
    finally:
        if args.keep:
            print(f"raw py-spy files kept in {files}")
        else:
            shutil.rmtree(files, ignore_errors=True)

    names = [name for name, _ in PHASES] + [OTHER_APP, FRAMEWORK]
    waiting = [name for name in names if name.startswith("waiting")]
    print(f"Share of the busy time of one gunicorn worker ({args.db}), py-spy at {args.rate} Hz for "
          f"{args.seconds:g} s per endpoint; waiting rows are shares of all samples.")
    print(f"{'phase':48}" + "".join(f"{name:>10}" for name in columns))
    for name in sorted(names, key=lambda n: (n in waiting, -sum(c[n] for c, _ in columns.values()))):
        if not any(c[name] for c, _ in columns.values()):
            continue
        cells = []
        for counts, total in columns.values():
            busy = total - sum(counts[w] for w in waiting)
            cells.append(counts[name] / (total if name in waiting else busy) if total else 0.0)
        print(f"{name:48}" + "".join(f"{cell:10.1%}" for cell in cells))


if __name__ == "__main__":
    main()
