"""hiremix under gunicorn and wrk, beside bare Flask, two peer apps and nginx, on SQLite and PostgreSQL: one table.

Every server runs the same number of worker processes (--workers, default
$HIREMIX_WORKERS or 2): bare Flask, hiremix and the flask-smorest peer under
gunicorn -c gunicorn.conf.py, the FastAPI peer under uvicorn --workers N.
What it measures, one section at a time, in this order (--only picks some):

engine      the engine in-process, by running benchmarks/engine.py's own measurement.
peers       POST /v1/recommendations/preview with the same wrk load and body to bare
            Flask, hiremix (authentication, rate limits, request log and metrics on,
            on a fresh SQLite file), the flask-smorest peer and the FastAPI peer of
            --peers (../shared/bench/peers), back to back, then again in reverse order;
            each app's row is the mean of the two passes. Target: hiremix at least as
            many requests a second as both peers. Without the peers folder or their
            packages (pip install -e '.[bench]'), one line says so and the peer rows
            are left out.
sqlite,     for each database (a fresh SQLite file; a scratch PostgreSQL database,
postgresql  dropped afterwards): requests per second and p50/p99 latency with wrk
            (16 connections, loopback) of POST /v1/recommendations (stored),
            POST /v1/recommendations/preview and GET /v1/recommendations (a page of
            20), each right after the bare Flask app of benchmarks/bare.py under the
            same load (POST beside POST, GET beside GET); then batches of 100 profiles
            (one call at a time, --batch-calls of them: profiles stored per second from
            the median); then a soak: --soak-seconds of mixed traffic (creates,
            previews, lists, gets, batches) and the count of 5xx answers and of
            acknowledged writes (ids of 201s, collected by wrk) missing from the
            database. Both must be 0, or the run exits with status 1.
proxy       the preview through nginx (deploy/nginx.conf.template rendered with
            envsubst, Debian's nginx in the foreground, HIREMIX_PROXY_HOPS=1 on the
            app) with sync workers and with gthread workers (--proxy-threads), beside
            the same two gunicorns measured straight; back to back, then reversed. It
            answers whether keep-alive (gthread behind the proxy, keepalive 16 to the
            upstream) helps. Without nginx or envsubst, one line says so.

Targets (from the issue): stored create >= 0.35 x bare, a page of the list >= 0.5 x
bare, batch >= 10,000 profiles stored a second, preview >= both peers, and p99 < 25 ms
and 0 errors on every hiremix row measured straight to gunicorn; the soak's 0 5xx and
0 missing. The proxy rows are measurements without targets.

The rate limit is raised to 1000000/minute for the run (HIREMIX_RATE_LIMIT);
every other setting is what the environment gives every server alike.

    make bench
    .venv/bin/python -m benchmarks.serving [options]

Options: --seconds (wrk time per cell, 10), --warmup (unmeasured seconds before each
cell, 1), --connections (16), --wrk-threads (2), --workers (per server; $HIREMIX_WORKERS
or 2), --only (sections, default engine,peers,sqlite,postgresql,proxy), --databases
(sqlite,postgresql; also limits --only), --peers (folder of the peer apps), --proxy-threads
(threads per gthread worker in the proxy section, 4), --engine-seconds (2), --batch-calls
(20), --soak-seconds (per database, 60; 0 skips the soak), --postgres-url (default
$BENCH_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/postgres), --keep-logs.

    make bench BENCH_ARGS="--seconds 2 --warmup 0.5 --soak-seconds 5 --batch-calls 5"   # a quick look
    make bench BENCH_ARGS="--only peers"                                                # hiremix beside the peers
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
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
import textwrap
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: benchmarks.engine must still import
    sys.path.insert(0, str(ROOT))

from benchmarks import engine as engine_benchmark

CONFIG = ROOT / "gunicorn.conf.py"
LUA = Path(__file__).resolve().parent / "wrk"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
DEFAULT_PEERS = ROOT.parent / "shared" / "bench" / "peers"
RATE_LIMIT = "1000000/minute"
PROFILE = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas",
           "priorities": ["ship_fast"]}
PREVIEW = "/v1/recommendations/preview"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SOAK_BATCH = 10  # profiles per batch during the soak
SOAK_MIX = "35,25,15,20,5"  # create, preview, list, get, batch (percent)
BATCH_SIZE = 100
SECTIONS = ("engine", "peers", "sqlite", "postgresql", "proxy")
DATABASES = ("sqlite", "postgresql")
INSTALL_HINT = "pip install -e '.[bench]' (make bench does it)"

# Targets on this machine (from the issue).
ENGINE_TARGET = 50_000
CREATE_RATIO = 0.35
LIST_RATIO = 0.5
BATCH_TARGET = 10_000  # profiles stored per second
P99_MS = 25.0


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
    """One wrk run, or the passes of one app put together (combine())."""

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

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def combine(loads: list[Load]) -> Load:
    """The passes of one app as one: requests over seconds of all passes (the mean rate, the passes being
    equally long), the mean p50, the worst p99 and max, errors added up."""
    return Load(requests=sum(x.requests for x in loads), seconds=sum(x.seconds for x in loads),
                p50_ms=statistics.mean(x.p50_ms for x in loads), p99_ms=max(x.p99_ms for x in loads),
                max_ms=max(x.max_ms for x in loads), non_2xx=sum(x.non_2xx for x in loads),
                socket_errors=sum(x.socket_errors for x in loads))


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
    name: str
    host: str
    port: int
    process: subprocess.Popen
    workers: int
    log: Path

    def check(self) -> None:
        """Fail loudly if the server stopped during a measurement (a crash, or a signal from outside)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} (pid {self.process.pid}) stopped during the run, exit status "
                               f"{self.process.returncode}:\n" + tail(self.log))

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


class StartFailed(RuntimeError):
    pass


def cause(log: str) -> str:
    """The line of a server's log that says why it stopped: the last exception, or else the last line."""
    lines = [line.strip() for line in log.splitlines()[1:] if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line) and "HaltServer" not in line]
    return (errors or lines or ["no output"])[-1]


def tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The child processes of pid (benchmarks/profile_phases.py uses this too)."""
    return list(command_lines(pid))


def command_lines(pid: int) -> dict[int, bytes]:
    """The child processes of pid, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
    return found


def call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 5) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def healthz(port: int) -> bool:
    return call(port, "GET", "/healthz")[0] == 200


def answers_preview(port: int) -> bool:
    """The peers' health check: they have no /healthz, so a preview of the profile must answer 200."""
    return call(port, "POST", PREVIEW, json.dumps(PROFILE).encode(), {"Content-Type": "application/json"})[0] == 200


@contextlib.contextmanager
def serve(name: str, command: Callable[[int], list[str]], env: dict, logs: Path, ready: Callable[[int], bool],
          *, cwd: Path = ROOT, settle: float = 0.5):
    """Start command(port) on a free loopback port, wait for ready(port), and stop it (and whatever it forked)
    on exit, whatever happens. StartFailed if it does not get ready within 60 s."""
    port = free_port()
    log = logs / f"{name}.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command(port), cwd=cwd, env={**env, "PORT": str(port)},
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    forked: dict[int, bytes] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if ready(port):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise StartFailed(f"{name} did not start:\n" + tail(log))
            time.sleep(0.2)
        time.sleep(settle)  # every worker forked and serving
        forked = command_lines(process.pid)
        workers = sum(b"resource_tracker" not in cmdline for cmdline in forked.values())
        yield Server(name, "127.0.0.1", port, process, workers, log)
    finally:
        forked.update(command_lines(process.pid))
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid, cmdline in forked.items():  # a worker its master left behind (same pid, same command line)
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/cmdline").read_bytes() == cmdline:
                    os.kill(pid, signal.SIGKILL)


def gunicorn(app: str, env: dict, logs: Path, name: str, *options: str, ready=healthz):
    """gunicorn -c gunicorn.conf.py APP on a free loopback port."""
    return serve(name, lambda port: [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), *options, app],
                 {**env, "HIREMIX_HOST": "127.0.0.1"}, logs, ready)


def flask_cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
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


# --- the peers ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Peer:
    name: str
    module: str  # file stem in the peers folder
    packages: tuple[str, ...]
    served_by: str


PEERS = (Peer("flask-smorest peer", "smorest_peer", ("flask_smorest",), "gunicorn"),
         Peer("FastAPI peer", "fastapi_peer", ("fastapi", "uvicorn"), "uvicorn"))


def usable_peers(folder: Path) -> tuple[list[Peer], str | None]:
    """The peers that can run here, and one line saying why any cannot."""
    if not folder.is_dir():
        return [], f"Peers skipped: no peers folder at {folder} (--peers PATH); the preview has no peer rows."
    usable, missing, absent = [], set(), []
    for peer in PEERS:
        if not (folder / f"{peer.module}.py").is_file():
            absent.append(f"{peer.module}.py")
            continue
        lacking = [name for name in peer.packages if importlib.util.find_spec(name) is None]
        missing.update(lacking)
        if not lacking:
            usable.append(peer)
    reasons = []
    if absent:
        reasons.append(f"{', '.join(absent)} not in {folder}")
    if missing:
        reasons.append(f"{', '.join(sorted(missing))} not installed: {INSTALL_HINT}")
    if not reasons:
        return usable, None
    left = ", ".join(peer.name for peer in PEERS if peer not in usable) or "none"
    return usable, f"Peers skipped ({left}): {'; '.join(reasons)}."


def peer_server(peer: Peer, folder: Path, env: dict, logs: Path, workers: int):
    env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}  # the peers folder may be read-only; write nothing there
    if peer.served_by == "gunicorn":  # the project's gunicorn.conf.py: the same settings as bare Flask and hiremix
        return gunicorn(f"{peer.module}:app", env, logs, peer.module, "--chdir", str(folder), ready=answers_preview)
    return serve(peer.module, lambda port: [sys.executable, "-m", "uvicorn", "--workers", str(workers), "--host",
                                            "127.0.0.1", "--port", str(port), "--no-access-log", "--app-dir",
                                            str(folder), f"{peer.module}:app"],
                 env, logs, answers_preview, settle=1.0)


# --- nginx in front ----------------------------------------------------------------------------------------

def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


def nginx_main_conf(folder: Path) -> str:
    """The nginx.conf of an nginx run in the foreground by this user, every path in `folder`, with
    `folder`/hiremix.conf (a rendered deploy/nginx.conf.template) as its only server."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {folder}/body;\n proxy_temp_path {folder}/proxy;\n"
            f" fastcgi_temp_path {folder}/fastcgi;\n uwsgi_temp_path {folder}/uwsgi;\n"
            f" scgi_temp_path {folder}/scgi;\n include {folder}/hiremix.conf;\n}}\n")


def nginx_in_front(binary: str, upstream: Server, folder: Path, logs: Path):
    """Debian's nginx in the foreground, with deploy/nginx.conf.template (rendered as the official image
    does, envsubst limited to its two variables) as its only server; every path in `folder`."""
    folder.mkdir(parents=True)

    def command(port: int) -> list[str]:
        rendered = subprocess.run(["envsubst", "${HIREMIX_UPSTREAM} ${HIREMIX_PROXY_PORT}"],
                                  input=NGINX_TEMPLATE.read_text(), capture_output=True, text=True, check=True,
                                  env={"PATH": os.environ.get("PATH", os.defpath),
                                       "HIREMIX_UPSTREAM": f"127.0.0.1:{upstream.port}",
                                       "HIREMIX_PROXY_PORT": str(port)}).stdout
        # The access log stays on (its cost is part of the proxy), in the temporary folder.
        (folder / "hiremix.conf").write_text(rendered.replace("/var/log/nginx/access.log",
                                                              str(folder / "access.log")))
        (folder / "nginx.conf").write_text(nginx_main_conf(folder))
        return [binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")]

    return serve(folder.name, command, dict(os.environ), logs, healthz, settle=0.2)


# --- load --------------------------------------------------------------------------------------------------

def wrk(url: str, script: str, seconds: float, connections: int, threads: int, env: dict) -> Load:
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(LUA / script), url]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
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

    def passes(self, servers: list[Server], method: str, path: str, key: str) -> list[Load]:
        """The same load to every server back to back, then again in reverse order; per server, both passes
        combined (the first server's two passes are the furthest apart, the last one's back to back)."""
        loads: dict[str, list[Load]] = {server.name: [] for server in servers}
        for server in [*servers, *reversed(servers)]:
            loads[server.name].append(self.load(server, method, path, key))
        return [combine(loads[server.name]) for server in servers]


def errors_text(load: Load, reference: Load | None = None) -> str:
    text = f"{load.errors:,}" if load.errors else "0"
    if reference is not None and reference.errors:
        text += f" (bare: {reference.errors:,})"
    return text


def cell(what: str, db: str, load: Load, reference: Load | None, ratio_target: float | None = None) -> Row:
    """A hiremix row: p99 < P99_MS and no errors, and at least ratio_target x bare when given."""
    row = Row(what, db, rate=load.rate, p50=load.p50_ms, p99=load.p99_ms, errors=errors_text(load, reference))
    if reference is not None:
        row.bare = reference.rate
        row.ratio = load.rate / reference.rate if reference.rate else 0.0
    targets, met = [f"p99 < {P99_MS:g} ms"], load.p99_ms < P99_MS and not load.errors
    if ratio_target is not None:
        targets.insert(0, f">= {ratio_target:g} x bare")
        met = met and row.ratio is not None and row.ratio >= ratio_target
    row.target, row.met = "; ".join(targets), met
    return row


def batch_profiles(count: int) -> list[dict]:
    every = list(engine_benchmark.profiles())
    step = max(1, len(every) // count)
    return [{**profile, "external_id": f"BENCH-{n}"} for n, profile in enumerate(every[::step][:count])]


def batch_latency(server: Server, key: str, calls: int) -> tuple[float, float, int]:
    """(median ms, max ms, failures) of POST /v1/recommendations/batch with BATCH_SIZE profiles, one call at a
    time."""
    body = json.dumps({"items": batch_profiles(BATCH_SIZE)}).encode()
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
            ok = response.status == 200 and json.loads(answer).get("stored") == BATCH_SIZE
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


# --- the sections ------------------------------------------------------------------------------------------

class Bench:
    """What the sections share: options, environment, temporary files, and what they found out."""

    def __init__(self, args, files: Path):
        self.args = args
        self.files = files
        self.logs = files / "logs"
        self.logs.mkdir()
        self.runner = Runner(args, files)
        env = {**os.environ, "HIREMIX_RATE_LIMIT": RATE_LIMIT, "HIREMIX_GRACEFUL_TIMEOUT": "5",
               "HIREMIX_WORKERS": str(args.workers)}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each gunicorn makes its own
        self.env = env
        self.bare_env = {**env, "DATABASE_URL": f"sqlite:///{files / 'unused.db'}"}
        self.workers: dict[str, int] = {}
        self.notes: list[str] = []

    def seen(self, server: Server, label: str) -> Server:
        self.workers[label] = server.workers
        return server

    def bare(self, name: str):
        return gunicorn("benchmarks.bare:app", self.bare_env, self.logs, name)

    def sqlite_env(self, name: str) -> tuple[dict, str]:
        url = f"sqlite:///{self.files / f'{name}.db'}"
        return {**self.env, "DATABASE_URL": url}, url

    # peers ------------------------------------------------------------------------------------------------

    def peers(self) -> list[Row]:
        folder = Path(self.args.peers).expanduser().resolve()
        usable, why_not = usable_peers(folder)
        if why_not:
            self.notes.append(why_not)
        env, _url = self.sqlite_env("peers")
        key = prepare_database(env)
        with contextlib.ExitStack() as stack:
            bare = self.seen(stack.enter_context(self.bare("bare-peers")), "bare Flask")
            hiremix = self.seen(stack.enter_context(gunicorn("service:create_app()", env, self.logs,
                                                             "hiremix-peers")), "hiremix")
            started: list[tuple[Peer, Server]] = []
            for peer in usable:
                try:
                    server = stack.enter_context(peer_server(peer, folder, self.bare_env, self.logs,
                                                             self.args.workers))
                except StartFailed as error:  # a peer that no longer runs against this hiremix: say so, go on
                    self.notes.append(f"{peer.name} skipped: it did not start or did not answer a preview with "
                                      f"200 ({cause(str(error))}); " + (f"its log: {self.logs / peer.module}.log."
                                                                      if self.args.keep_logs else
                                                                      "--keep-logs keeps its log."))
                    continue
                started.append((peer, self.seen(server, f"{peer.name} ({peer.served_by})")))
            if started:
                self.sizes(key, hiremix, started, folder)
            servers = [bare, hiremix, *(server for _peer, server in started)]
            loads = self.runner.passes(servers, "POST", PREVIEW, key)
        reference, mine, others = loads[0], loads[1], loads[2:]
        row = cell(f"POST {PREVIEW} (auth, limits, log, metrics on)", "sqlite", mine, reference)
        rows = [row]
        for (peer, _server), load in zip(started, others):
            rows.append(Row(f"  {peer.name} (preview only; {peer.served_by})", "-", rate=load.rate,
                            bare=reference.rate, ratio=load.rate / reference.rate if reference.rate else 0.0,
                            p50=load.p50_ms, p99=load.p99_ms, errors=errors_text(load)))
        if started:
            names = "both peers" if len(started) == 2 else " & ".join(peer.name for peer, _ in started)
            row.target = f">= {names}; {row.target}"
            row.met = bool(row.met) and all(mine.rate >= load.rate for load in others)
            if len(started) < len(PEERS):
                row.target += " (not all peers ran)"
                row.met = False
        return rows

    def sizes(self, key: str, hiremix: Server, started: list[tuple[Peer, Server]], folder: Path) -> None:
        """One preview from each app: the byte sizes show they do the same work."""
        body = json.dumps(PROFILE).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        sizes = [("hiremix", len(call(hiremix.port, "POST", PREVIEW, body, headers)[1]))]
        sizes += [(peer.name, len(call(server.port, "POST", PREVIEW, body, headers)[1])) for peer, server in started]
        self.notes.append(f"Peers from {folder}; bytes of one preview answer: " + ", ".join(f"{name} {size:,}"
                                                                            for name, size in sizes) + ".")

    # databases --------------------------------------------------------------------------------------------

    def database(self, db: str) -> list[Row]:
        if db == "sqlite":
            env, url = self.sqlite_env("hiremix")
            return self.database_rows(db, env, url)
        with contextlib.ExitStack() as stack:
            try:
                url = stack.enter_context(scratch_postgres(self.args.postgres_url))
            except Exception as error:  # noqa: BLE001 - no server there (any driver error): say so, go on
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                self.notes.append(f"PostgreSQL at {self.args.postgres_url} could not be used: {reason}")
                return [Row("PostgreSQL skipped", db, errors=type(error).__name__)]
            return self.database_rows(db, {**self.env, "DATABASE_URL": url}, url)

    def database_rows(self, db: str, env: dict, database_url: str) -> list[Row]:
        args, runner = self.args, self.runner
        key = prepare_database(env)
        rows = []
        with self.bare(f"bare-{db}") as bare, gunicorn("service:create_app()", env, self.logs, f"hiremix-{db}") \
                as server:
            self.seen(bare, "bare Flask")
            self.seen(server, "hiremix")
            rows.append(cell("POST /v1/recommendations (stored)", db,
                             *runner.beside_bare(bare, server, "POST", "/v1/recommendations", key), CREATE_RATIO))
            rows.append(cell(f"POST {PREVIEW}", db, *runner.beside_bare(bare, server, "POST", PREVIEW, key)))
            analyze(database_url)
            rows.append(cell("GET /v1/recommendations (page of 20)", db,
                             *runner.beside_bare(bare, server, "GET", "/v1/recommendations", key), LIST_RATIO))
            median, longest, failures = batch_latency(server, key, args.batch_calls)
            server.check()
            stored = BATCH_SIZE / (median / 1000)
            rows.append(Row(f"POST .../batch of {BATCH_SIZE}: profiles/s (median, max of {args.batch_calls})", db,
                            rate=stored, p50=median, p99=longest, errors=str(failures),
                            target=f">= {BATCH_TARGET:,} profiles/s", met=stored >= BATCH_TARGET and not failures))
            if args.soak_seconds > 0:
                rows.append(soak(runner, server, key, database_url, db))
        return rows

    # nginx in front ---------------------------------------------------------------------------------------

    def proxy(self) -> list[Row]:
        binary = find_nginx()
        if binary is None or shutil.which("envsubst") is None:
            self.notes.append("Proxy rows skipped: " + ("nginx is not installed (apt-get install nginx)"
                                                        if binary is None else
                                                        "envsubst is not installed (apt-get install gettext-base)")
                              + ".")
            return []
        env, _url = self.sqlite_env("proxied")
        env["HIREMIX_PROXY_HOPS"] = "1"
        key = prepare_database(env)
        threads = self.args.proxy_threads
        with contextlib.ExitStack() as stack:
            sync = stack.enter_context(gunicorn("service:create_app()", {**env, "HIREMIX_THREADS": "1"}, self.logs,
                                                "hiremix-sync"))
            gthread = stack.enter_context(gunicorn("service:create_app()", {**env, "HIREMIX_THREADS": str(threads)},
                                                   self.logs, "hiremix-gthread"))
            self.seen(sync, "hiremix sync")
            self.seen(gthread, f"hiremix gthread x{threads} threads")
            try:
                in_front_sync, in_front_gthread = (
                    stack.enter_context(nginx_in_front(binary, upstream, self.files / folder, self.logs))
                    for upstream, folder in ((sync, "nginx-sync"), (gthread, "nginx-gthread")))
            except StartFailed as error:  # the rows before stay: say why, go on without these
                said = [line for path in self.files.glob("nginx-*/error.log") for line in tail(path).splitlines()
                        if re.search(r"\[(emerg|alert|crit)\]", line)]
                reason = said[-1].strip() if said else cause(str(error))
                self.notes.append(f"Proxy rows skipped: nginx did not start ({reason}).")
                return []
            straight_sync, proxied_sync, proxied_gthread, straight_gthread = self.runner.passes(
                [sync, in_front_sync, in_front_gthread, gthread], "POST", PREVIEW, key)
        rows = [Row(what, "sqlite", rate=load.rate, p50=load.p50_ms, p99=load.p99_ms, errors=errors_text(load))
                for what, load in (("preview straight to gunicorn, sync workers", straight_sync),
                                   (f"preview straight to gunicorn, gthread x{threads}", straight_gthread),
                                   ("preview via nginx, sync workers", proxied_sync),
                                   (f"preview via nginx, gthread x{threads} (keep-alive)", proxied_gthread))]

        def times(a: Load, b: Load) -> str:
            return f"{a.rate / b.rate:.2f}x" if b.rate else "-"

        gain = proxied_gthread.rate / proxied_sync.rate if proxied_sync.rate else 0.0
        verdict = ("helps" if gain > 1.05 else "costs" if gain < 0.95 else "makes no clear difference (within 5%)")
        self.notes.append(
            f"Proxy: nginx (deploy/nginx.conf.template, 1 nginx worker, its access log on) in front of hiremix with "
            f"HIREMIX_PROXY_HOPS=1; same load, back to back, then reversed. Behind nginx, gthread x{threads} workers "
            f"(keep-alive to the upstream, keepalive 16) give {times(proxied_gthread, proxied_sync)} the requests "
            f"per second of sync workers (a new upstream connection per request): keep-alive {verdict}. "
            f"Through nginx over straight to gunicorn: sync {times(proxied_sync, straight_sync)}, gthread "
            f"{times(proxied_gthread, straight_gthread)} the requests per second.")
        return rows


def explanations(sections: list[str], databases: list[str]) -> list[str]:
    """How to read the table, for the sections that ran."""
    said = []
    if {"peers", *databases} & set(sections):
        said.append("bare req/s: benchmarks/bare.py (Flask, a small JSON answer) under the same load, same method and "
                    "body; x bare = req/s over bare req/s.")
    if {"peers", "proxy"} & set(sections):
        said.append("Peer and proxy rows: the apps measured back to back, then in reverse order; req/s and p50 the "
                    "mean of the two passes, p99 the worse one.")
    if "peers" in sections:
        said.append("The peers do no authentication, rate limiting, request log or metrics.")
    if set(databases) & set(sections):
        said.append(f"Batch rows: one call at a time; req/s = profiles stored per second ({BATCH_SIZE} / median "
                    f"s), median and max in the p50/p99 columns, errors = calls not answered 200 with {BATCH_SIZE} "
                    f"stored. Soak: create/preview/list/get/batch = {SOAK_MIX.replace(',', '/')} %, batches of "
                    f"{SOAK_BATCH}; 'missing' = acknowledged writes (ids of 201s and of batch items stored) not "
                    "found in the database afterwards.")
    return said


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def names(value: str, allowed: tuple[str, ...], option: str, parser: argparse.ArgumentParser) -> list[str]:
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in allowed]
    if unknown:
        parser.error(f"{option}: unknown {', '.join(unknown)} (choose from {','.join(allowed)})")
    return chosen


# --- main --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--seconds", type=float, default=10, help="wrk time per cell (default 10)")
    parser.add_argument("--warmup", type=float, default=1, help="unmeasured wrk time before each cell (default 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("HIREMIX_WORKERS") or 2),
                        help="worker processes of every server (default $HIREMIX_WORKERS or 2)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="sections to run, comma-separated (default %(default)s)")
    parser.add_argument("--peers", default=str(DEFAULT_PEERS),
                        help="folder of smorest_peer.py and fastapi_peer.py (default ../shared/bench/peers)")
    parser.add_argument("--proxy-threads", type=int, default=4, help="threads per gthread worker, proxy section")
    parser.add_argument("--engine-seconds", type=float, default=2, help="per row of benchmarks/engine.py")
    parser.add_argument("--batch-calls", type=int, default=20)
    parser.add_argument("--soak-seconds", type=float, default=60, help="per database; 0 skips the soak")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server to make a scratch database on (default %(default)s)")
    parser.add_argument("--databases", default=",".join(DATABASES), help="which to run (default %(default)s)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs and print where")
    args = parser.parse_args()
    sections = names(args.only, SECTIONS, "--only", parser)
    databases = names(args.databases, DATABASES, "--databases", parser)
    if not 1 <= args.workers <= 64 or not 1 <= args.proxy_threads <= 64:
        parser.error("--workers and --proxy-threads: a whole number from 1 to 64")
    if shutil.which("wrk") is None:
        sys.exit("benchmarks/serving.py needs wrk: apt-get install wrk (or brew install wrk)")
    # A SIGTERM unwinds like Ctrl-C, so servers stop and the scratch database is dropped.
    signal.signal(signal.SIGTERM, _interrupt)

    started, load_before = time.monotonic(), os.getloadavg()[0]
    rows = engine_rows(args.engine_seconds) if "engine" in sections else []  # before any server runs
    files = Path(tempfile.mkdtemp(prefix="hiremix-bench-"))
    bench = Bench(args, files)
    try:
        if "peers" in sections:
            rows += bench.peers()
        for db in databases:
            if db in sections:
                rows += bench.database(db)
        if "proxy" in sections:
            rows += bench.proxy()
    finally:
        if args.keep_logs:
            bench.notes.append(f"Server logs kept in {bench.logs}")
        else:
            shutil.rmtree(files, ignore_errors=True)

    threads = os.environ.get("HIREMIX_THREADS") or "1"
    seen = ", ".join(f"{name} {count}" for name, count in bench.workers.items())
    print(f"hiremix benchmark on {os.cpu_count()} CPUs; sections: {', '.join(sections)}. Every server runs "
          f"{args.workers} worker processes (--workers; counted: {seen or 'no server ran'}).")
    print(f"gunicorn -c gunicorn.conf.py serves bare Flask, hiremix and the flask-smorest peer ({threads} thread(s) "
          f"per worker, HIREMIX_THREADS, except the proxy section's gthread rows); uvicorn --workers "
          f"{args.workers} (uvloop, httptools) serves the FastAPI peer.")
    print(f"HIREMIX_RATE_LIMIT raised to {RATE_LIMIT} for the run (default 600/minute); rate limit storage "
          f"{os.environ.get('RATELIMIT_STORAGE_URI') or 'memory://'}; HIREMIX_ENV="
          f"{os.environ.get('HIREMIX_ENV') or 'development'}.")
    print(f"wrk on loopback: {args.connections} connections, {args.wrk_threads} threads, {args.seconds:g} s per cell "
          f"after {args.warmup:g} s unmeasured; the bare app measured right before each hiremix cell.")
    print()
    print(table(rows))
    print()
    print("\n".join(textwrap.wrap(" ".join(explanations(sections, databases)), 130)))
    for row in rows:
        if row.note:
            print(f"{row.what} ({row.db}): {row.note}")
    for note in bench.notes:
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
