"""hiremix under gunicorn and wrk, beside a bare Flask app, on SQLite and PostgreSQL: one table.

What it measures, one thing at a time, in this order:

1. the engine in-process, by running benchmarks/engine.py's own measurement;
2. for each database (a fresh SQLite file; a scratch PostgreSQL database,
   dropped afterwards): requests per second and p50/p99 latency with wrk
   (16 connections, loopback) of POST /v1/recommendations (stored),
   POST /v1/recommendations/preview and GET /v1/recommendations, each beside
   the bare Flask app of benchmarks/bare.py (POST beside POST, GET beside
   GET) measured in the same run, under the same gunicorn.conf.py settings;
3. the latency of a batch of 100 profiles (median and max of --batch-calls);
4. a soak: --soak-seconds of mixed traffic (creates, previews, lists, gets,
   batches), then the count of 5xx answers and of acknowledged writes (ids
   of 201s, collected by wrk) missing from the database. Both must be 0.

The rate limit is raised to 1000000/minute for the run (HIREMIX_RATE_LIMIT);
every other setting is what the environment gives both servers alike.

    make bench
    .venv/bin/python -m benchmarks.serving [--seconds 10] [--soak-seconds 60] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: benchmarks.engine must still import
    sys.path.insert(0, str(ROOT))

from benchmarks import engine as engine_benchmark  # noqa: E402

CONFIG = ROOT / "gunicorn.conf.py"
LUA = Path(__file__).resolve().parent / "wrk"
RATE_LIMIT = "1000000/minute"
PROFILE = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas",
           "priorities": ["ship_fast"]}
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SOAK_BATCH = 10  # profiles per batch during the soak
SOAK_MIX = "35,25,15,20,5"  # create, preview, list, get, batch (percent)

# Targets on this machine (from the issue).
ENGINE_TARGET = 50_000
PREVIEW_RATIO = 0.7
CREATE_RATIO = 0.5
P99_MS = 50.0


# --- results and the table ---------------------------------------------------------------------------------

@dataclass
class Row:
    what: str
    db: str = "-"
    rate: float | None = None
    bare: float | None = None
    ratio: float | None = None
    p50: float | None = None
    p99: float | None = None
    errors: str = "-"
    target: str = "-"
    met: bool | None = None
    note: str = ""


@dataclass
class Load:
    """One wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int = 0
    socket_errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def table(rows: list[Row]) -> str:
    header = ("what", "db", "req/s", "bare req/s", "x bare", "p50/med ms", "p99/max ms", "errors", "target", "met")

    def number(value, fmt):
        return "-" if value is None else format(value, fmt)

    lines = [(r.what, r.db, number(r.rate, ",.0f"), number(r.bare, ",.0f"), number(r.ratio, ".2f"),
              number(r.p50, ".1f"), number(r.p99, ".1f"), r.errors, r.target,
              {None: "", True: "yes", False: "NO"}[r.met]) for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    left = {0, 1, 7, 8, 9}

    def render(line):
        cells = [str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(line, widths))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


# --- the engine, measured by benchmarks/engine.py itself ---------------------------------------------------

def engine_rows(seconds: float) -> list[Row]:
    """Run benchmarks/engine.py's main() and read its table: the measurement stays in one place."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["benchmarks/engine.py", "--seconds", str(seconds)]
    try:
        with contextlib.redirect_stdout(out):
            engine_benchmark.main()
    finally:
        sys.argv = argv
    rows = []
    for line in out.getvalue().splitlines()[1:]:
        match = re.match(r"^(?P<name>.+?)\s+(?P<value>[\d,]+)\s+[\d.]+$", line)
        if not match or not match["name"].startswith(("engine: evaluate", "engine + document")):
            continue  # the baseline and any finer rows stay in benchmarks/engine.py's own output
        value = float(match["value"].replace(",", ""))
        row = Row(f"{match['name']} (in-process)", rate=value)
        if match["name"].startswith("engine: evaluate"):
            row.target, row.met = f">= {ENGINE_TARGET:,}/s", value >= ENGINE_TARGET
        rows.append(row)
    if not any(r.met is not None for r in rows):
        raise RuntimeError("benchmarks/engine.py printed no 'engine: evaluate' row:\n" + out.getvalue())
    return rows


# --- servers -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    host: str
    port: int
    process: subprocess.Popen
    workers: int
    log: Path

    def check(self) -> None:
        """Fail loudly if gunicorn stopped during a measurement (a crash, or a signal from outside)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn (pid {self.process.pid}) stopped during the run, exit status "
                               f"{self.process.returncode}:\n" + self.log.read_text(errors="replace")[-3000:])

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def get(server_base: str, path: str, timeout: float = 5) -> int:
    host, port = server_base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(app: str, env: dict, logs: Path, name: str):
    """gunicorn -c gunicorn.conf.py APP on a free loopback port; stopped (and its workers) on exit."""
    port = free_port()
    log = logs / f"{name}.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), app], cwd=ROOT,
                                   env={**env, "PORT": str(port), "HIREMIX_HOST": "127.0.0.1"},
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"http://127.0.0.1:{port}", "/healthz") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({app}) did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        time.sleep(0.5)  # every worker forked and serving
        yield Server("127.0.0.1", port, process, len(children(process.pid)), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flask_cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare_database(env: dict) -> str:
    """Migrate DATABASE_URL with the CLI and make an API key; returns the key."""
    flask_cli(env, "db", "upgrade")
    return flask_cli(env, "keys", "create", "--name", "benchmark").strip().splitlines()[-1]


@contextlib.contextmanager
def scratch_postgres(admin_url: str):
    """A new, empty PostgreSQL database (its URL), dropped afterwards whatever happens."""
    from sqlalchemy import make_url, text

    from service.db import make_engine

    name = f"hiremix_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, limit_statements=False).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- load --------------------------------------------------------------------------------------------------

def wrk(url: str, script: str, seconds: float, connections: int, threads: int, env: dict) -> Load:
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(LUA / script), url]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    line = next((out for out in done.stdout.splitlines() if out.startswith("BENCH_RESULT ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk failed ({' '.join(command)}):\n{done.stdout}{done.stderr}")
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    return Load(requests=result["requests"], seconds=result["duration_us"] / 1e6, p50_ms=result["p50_us"] / 1000,
                p99_ms=result["p99_us"] / 1000, max_ms=result["max_us"] / 1000, non_2xx=result.get("non_2xx", 0),
                socket_errors=sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
                statuses=result.get("statuses", {}))


class Runner:
    def __init__(self, args, files: Path):
        self.args = args
        self.files = files
        self.profile_file = files / "profile.json"
        self.profile_file.write_text(json.dumps(PROFILE))

    def load(self, server: Server, method: str, path: str, key: str | None, seconds: float | None = None) -> Load:
        env = {"BENCH_METHOD": method, "BENCH_KEY": key or "",
               "BENCH_BODY_FILE": str(self.profile_file) if method == "POST" else ""}
        url = server.base + path
        if self.args.warmup > 0:
            wrk(url, "request.lua", self.args.warmup, self.args.connections, self.args.wrk_threads, env)
        load = wrk(url, "request.lua", seconds or self.args.seconds, self.args.connections, self.args.wrk_threads,
                   env)
        server.check()
        return load

    def beside_bare(self, bare: Server, server: Server, method: str, path: str, key: str) -> tuple[Load, Load]:
        """(hiremix, bare Flask): the bare app measured right before, so both see the same machine."""
        reference = self.load(bare, method, path, key)
        return self.load(server, method, path, key), reference


def cell(what: str, db: str, loads: tuple[Load, Load], ratio_target: float | None = None) -> Row:
    load, reference = loads
    row = Row(what, db, rate=load.rate, bare=reference.rate, p50=load.p50_ms, p99=load.p99_ms)
    bad = load.non_2xx + load.socket_errors
    row.errors = f"{bad:,}" if bad else "0"
    if reference.non_2xx + reference.socket_errors:
        row.errors += f" (bare: {reference.non_2xx + reference.socket_errors:,})"
    row.ratio = load.rate / reference.rate if reference.rate else 0.0
    targets, met = [f"p99 < {P99_MS:g} ms"], load.p99_ms < P99_MS and not bad
    if ratio_target is not None:
        targets.insert(0, f">= {ratio_target:g} x bare")
        met = met and row.ratio >= ratio_target
    row.target, row.met = "; ".join(targets), met
    return row


def batch_profiles(count: int) -> list[dict]:
    every = list(engine_benchmark.profiles())
    step = max(1, len(every) // count)
    return [{**profile, "external_id": f"BENCH-{n}"} for n, profile in enumerate(every[::step][:count])]


def batch_latency(server: Server, key: str, calls: int) -> tuple[float, float, int]:
    """(median ms, max ms, failures) of POST /v1/recommendations/batch with 100 profiles, one call at a time."""
    body = json.dumps({"items": batch_profiles(100)}).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    times, failures = [], 0
    try:
        for n in range(calls + 1):  # the first call warms up and is not counted
            start = time.perf_counter()
            connection.request("POST", "/v1/recommendations/batch", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            ok = response.status == 200 and json.loads(answer).get("stored") == 100
            if n:
                times.append(elapsed)
                failures += not ok
    finally:
        connection.close()
    return statistics.median(times), max(times), failures


def analyze(database_url: str) -> None:
    """ANALYZE, as autovacuum does on a live database: the create cell has just filled the table, and
    without statistics PostgreSQL may sort every row of the tenant instead of reading the
    (tenant_id, created_at, id) index backwards (seen: 0.06 of bare Flask for the list)."""
    from sqlalchemy import text

    from service.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()


def missing_from_database(database_url: str, ids: list[str]) -> int:
    from sqlalchemy import select

    from service.db import make_engine
    from service.orm import RecommendationRecord

    engine = make_engine(database_url)
    found = set()
    try:
        with engine.connect() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                found.update(connection.execute(
                    select(RecommendationRecord.id).where(RecommendationRecord.id.in_(chunk))).scalars())
    finally:
        engine.dispose()
    return len(set(ids) - found)


def soak(runner: Runner, server: Server, key: str, database_url: str, db: str) -> Row:
    args = runner.args
    batch_file = runner.files / "soak-batch.json"
    batch_file.write_text(json.dumps({"items": batch_profiles(SOAK_BATCH)}))
    ids_file = runner.files / f"soak-ids-{db}.txt"
    env = {"BENCH_KEY": key, "BENCH_PROFILE_FILE": str(runner.profile_file), "BENCH_BATCH_FILE": str(batch_file),
           "BENCH_MIX": SOAK_MIX, "BENCH_IDS_FILE": str(ids_file)}
    load = wrk(server.base + "/", "soak.lua", args.soak_seconds, args.connections, args.wrk_threads, env)
    server.check()
    ids = ids_file.read_text().split()
    missing = missing_from_database(database_url, ids)
    server_errors = sum(count for status, count in load.statuses.items() if int(status) >= 500)
    unexpected = sum(count for status, count in load.statuses.items() if int(status) not in (200, 201))
    row = Row(f"soak {args.soak_seconds:g} s mixed: {load.requests:,} requests, {len(ids):,} acked writes", db,
              rate=load.rate, p50=load.p50_ms, p99=load.p99_ms)
    row.errors = f"5xx {server_errors}, missing {missing}"
    other = unexpected - server_errors + load.socket_errors
    if other:
        row.errors += f", other {other}"
    row.target = "0 5xx, 0 missing"
    row.met = server_errors == 0 and missing == 0 and load.socket_errors == 0
    row.note = "statuses " + ", ".join(f"{s}: {c:,}" for s, c in sorted(load.statuses.items()))
    return row


def database_rows(runner: Runner, db: str, env: dict, database_url: str, bare: Server, logs: Path,
                  workers: dict) -> list[Row]:
    args = runner.args
    key = prepare_database(env)
    rows = []
    with gunicorn("service:create_app()", env, logs, f"hiremix-{db}") as server:
        rows.append(cell("POST /v1/recommendations (stored)", db,
                         runner.beside_bare(bare, server, "POST", "/v1/recommendations", key), CREATE_RATIO))
        rows.append(cell("POST /v1/recommendations/preview", db,
                         runner.beside_bare(bare, server, "POST", "/v1/recommendations/preview", key), PREVIEW_RATIO))
        analyze(database_url)
        rows.append(cell("GET /v1/recommendations (page of 20)", db,
                         runner.beside_bare(bare, server, "GET", "/v1/recommendations", key)))
        median, longest, failures = batch_latency(server, key, args.batch_calls)
        server.check()
        rows.append(Row(f"POST .../batch, 100 items (median, max of {args.batch_calls})", db, p50=median,
                        p99=longest, errors=str(failures)))
        if args.soak_seconds > 0:
            rows.append(soak(runner, server, key, database_url, db))
        workers[f"hiremix on {db}"] = server.workers
    return rows


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- main --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk time per cell (default 10)")
    parser.add_argument("--warmup", type=float, default=1, help="unmeasured wrk time before each cell (default 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--engine-seconds", type=float, default=2, help="per row of benchmarks/engine.py")
    parser.add_argument("--batch-calls", type=int, default=20)
    parser.add_argument("--soak-seconds", type=float, default=60, help="per database; 0 skips the soak")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server to make a scratch database on (default %(default)s)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="which to run (default %(default)s)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn logs and print where")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("benchmarks/serving.py needs wrk: apt-get install wrk (or brew install wrk)")
    # A SIGTERM unwinds like Ctrl-C, so servers stop and the scratch database is dropped.
    signal.signal(signal.SIGTERM, _interrupt)

    started, load_before = time.monotonic(), os.getloadavg()[0]
    rows = engine_rows(args.engine_seconds)  # before any server runs
    notes = []
    files = Path(tempfile.mkdtemp(prefix="hiremix-bench-"))
    logs = files / "logs"
    logs.mkdir()
    env = {**os.environ, "HIREMIX_RATE_LIMIT": RATE_LIMIT, "HIREMIX_GRACEFUL_TIMEOUT": "5"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each gunicorn makes its own
    runner = Runner(args, files)
    workers = {}
    try:
        with gunicorn("benchmarks.bare:app", {**env, "DATABASE_URL": f"sqlite:///{files / 'unused.db'}"},
                      logs, "bare") as bare:
            workers["bare Flask"] = bare.workers
            for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
                if db == "sqlite":
                    url = f"sqlite:///{files / 'hiremix.db'}"
                    rows += database_rows(runner, db, {**env, "DATABASE_URL": url}, url, bare, logs, workers)
                elif db == "postgresql":
                    with contextlib.ExitStack() as stack:
                        try:
                            url = stack.enter_context(scratch_postgres(args.postgres_url))
                        except Exception as error:  # no server there: say so in the table, go on
                            rows.append(Row("PostgreSQL skipped", db, errors=type(error).__name__))
                            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                            notes.append(f"PostgreSQL at {args.postgres_url} could not be used: {reason}")
                            continue
                        rows += database_rows(runner, db, {**env, "DATABASE_URL": url}, url, bare, logs, workers)
                else:
                    parser.error(f"--databases: unknown {db!r} (sqlite, postgresql)")
    finally:
        if args.keep_logs:
            notes.append(f"gunicorn logs kept in {logs}")
        else:
            shutil.rmtree(files, ignore_errors=True)

    print(f"hiremix benchmark on {os.cpu_count()} CPUs. Both apps served by gunicorn -c gunicorn.conf.py with the same "
          f"environment: workers {', '.join(f'{name} {count}' for name, count in workers.items())}, "
          f"{os.environ.get('HIREMIX_THREADS') or 1} thread(s) each (HIREMIX_WORKERS, HIREMIX_THREADS).")
    print(f"HIREMIX_RATE_LIMIT raised to {RATE_LIMIT} for the run (default 600/minute); rate limit storage "
          f"{os.environ.get('RATELIMIT_STORAGE_URI') or 'memory://'}; HIREMIX_ENV="
          f"{os.environ.get('HIREMIX_ENV') or 'development'}.")
    print(f"wrk on loopback: {args.connections} connections, {args.wrk_threads} threads, {args.seconds:g} s per cell "
          f"after {args.warmup:g} s unmeasured; the bare app measured right before each hiremix cell.")
    print()
    print(table(rows))
    print()
    print("bare req/s: benchmarks/bare.py (Flask, a small JSON answer) under the same load, same method and body;")
    print("x bare = req/s over bare req/s. Batch row: one call at a time, median and max in the p50/p99 columns, "
          "errors = calls")
    print(f"not answered 200 with 100 stored. Soak: create/preview/list/get/batch = {SOAK_MIX.replace(',', '/')} %, "
          f"batches of {SOAK_BATCH};")
    print("'missing' = acknowledged writes (ids of 201s and of batch items stored) not found in the database "
          "afterwards.")
    for row in rows:
        if row.note:
            print(f"{row.what} ({row.db}): {row.note}")
    for note in notes:
        print(note)
    print(f"Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work on the machine skews "
          f"every figure). Total time {time.monotonic() - started:.0f} s.")
    print(f"Targets met: {sum(row.met is True for row in rows)} of {sum(row.met is not None for row in rows)}.")
    if any(row.met is False and row.what.startswith("soak") for row in rows):
        sys.exit("The soak found 5xx answers, lost writes or broken connections (see the errors column).")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: the servers are stopped and the scratch database is dropped", file=sys.stderr)
        sys.exit(130)
