"""Two hiremix instances behind nginx against one, on PostgreSQL and Redis: one table.

What it does:

1. makes a scratch PostgreSQL database (dropped afterwards), migrates it and makes an API key;
2. starts two hiremix instances (gunicorn -c gunicorn.conf.py 'service:create_app()', HIREMIX_WORKERS
   workers each, HIREMIX_PROXY_HOPS=1), counting rate limits in Redis (RATELIMIT_STORAGE_URI on a
   database number of its own, flushed before and after) with HIREMIX_RATE_LIMIT=1000000/minute;
3. starts two of Debian's nginx, each rendered from deploy/nginx.conf.template: "one" sends every
   request to the first instance, "two" to both (a second `server` line in the template's upstream);
4. measures POST /v1/recommendations/preview and POST /v1/recommendations (stored) with wrk through
   each nginx: for each endpoint one then two, back to back, and all of it --rounds times (one, two, one,
   two), so the noise of the machine shows. During one instance's runs the second stays up, idle;
5. for every run: the PostgreSQL connections each instance holds at peak (pg_stat_activity of the
   scratch database, sampled every 0.1 s; each instance connects with its own application_name), Redis
   commands per request (INFO commandstats before and after, divided by the requests; server-wide, so
   other clients of the same Redis would inflate it), and the CPU time per request of each part (the
   gunicorn processes, nginx, the PostgreSQL backends of the scratch database, redis-server, wrk) beside
   how busy the whole machine was (/proc/stat: whatever is not ours is other work on the machine);
6. then, for a few hundred requests of each endpoint one at a time through both instances: the exact
   Redis commands per request, by name, from MONITOR (only this run's Redis database number), and the
   PostgreSQL transactions per request (pg_stat_database, read after the backends' 10 s flush delay);
   the same for requests with an unknown key (401), which also count against the address's budget.

    .venv/bin/python -m benchmarks.scale_out [--seconds 10] [--rounds 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the benchmarks package must still import
    sys.path.insert(0, str(ROOT))

from benchmarks.serving import (
    PROFILE,
    RATE_LIMIT,
    Load,
    children,
    free_port,
    gunicorn,
    nginx_main_conf,
    prepare_database,
    scratch_postgres,
    wrk,
)

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
DEFAULT_REDIS_DB = 13
ENDPOINTS = (("preview", "/v1/recommendations/preview"), ("create", "/v1/recommendations"))
MONITOR_NAME = "hiremix-scale-out-monitor"


def app_name(instance: int) -> str:
    return f"hiremix-scale-out-{instance}"


# --- nginx -------------------------------------------------------------------------------------------------

def render(upstreams: list[str], port: int, folder: Path) -> str:
    """deploy/nginx.conf.template as the official image renders it, with one `server` line per instance
    in its upstream, and its access log in `folder` (every other setting as the template has it)."""
    text = subprocess.run(["envsubst", "${HIREMIX_UPSTREAM} ${HIREMIX_PROXY_PORT}"], input=TEMPLATE.read_text(),
                          env={"HIREMIX_UPSTREAM": upstreams[0], "HIREMIX_PROXY_PORT": str(port)},
                          capture_output=True, text=True, check=True).stdout
    first = f"    server {upstreams[0]};\n"
    if text.count(first) != 1:
        raise RuntimeError(f"deploy/nginx.conf.template: expected one line {first.strip()!r} in its upstream")
    text = text.replace(first, first + "".join(f"    server {upstream};\n" for upstream in upstreams[1:]))
    return text.replace("/var/log/nginx/access.log", str(folder / "access.log"))


def _status(port: int, path: str = "/healthz", timeout: float = 1) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@contextlib.contextmanager
def nginx(upstreams: list[str], folder: Path):
    """Debian's nginx in the foreground (as tests/e2e/test_proxy.py runs it), the rendered template its only
    server; yields (its port, its master's pid)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder.mkdir(parents=True)
    port = free_port()
    (folder / "hiremix.conf").write_text(render(upstreams, port, folder))
    (folder / "nginx.conf").write_text(nginx_main_conf(folder))
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while _status(port) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                error_log = folder / "error.log"
                raise RuntimeError("nginx did not start: " + process.stderr.read().decode(errors="replace")
                                   + (error_log.read_text(errors="replace") if error_log.exists() else ""))
            time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- PostgreSQL and Redis ----------------------------------------------------------------------------------

def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as psycopg.connect takes it."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class ConnectionPeaks:
    """Samples pg_stat_activity of database `name` every `every` seconds while running: the most connections
    each application_name held at once. Connects to another database (`admin_url`), so its own queries
    count in neither the connections nor the transactions of `name`."""

    def __init__(self, admin_url: str, name: str, every: float = 0.1):
        import psycopg

        self.connection = psycopg.connect(libpq_url(admin_url), autocommit=True, application_name=MONITOR_NAME)
        self.name = name
        self.every = every
        self.peaks: dict[str, int] = {}
        self.total = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def counts(self) -> dict[str, int]:
        rows = self.connection.execute(
            "SELECT coalesce(application_name, ''), count(*) FROM pg_stat_activity WHERE datname = %s GROUP BY 1",
            (self.name,)).fetchall()
        return {name: count for name, count in rows}

    def _run(self) -> None:
        while not self._stop.is_set():
            counts = self.counts()
            for name, count in counts.items():
                self.peaks[name] = max(self.peaks.get(name, 0), count)
            self.total = max(self.total, sum(counts.values()))
            self._stop.wait(self.every)

    def __enter__(self):
        self.peaks, self.total = {}, 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def transactions(self) -> int:
        """Commits and rollbacks of the database so far (as the statistics have them)."""
        self.connection.execute("SELECT pg_stat_clear_snapshot()")
        return self.connection.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
                                        (self.name,)).fetchone()[0]

    def backends(self) -> set[int]:
        rows = self.connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,))
        return {pid for (pid,) in rows.fetchall()}

    def setting(self, name: str) -> str:
        return self.connection.execute("SELECT current_setting(%s)", (name,)).fetchone()[0]

    def close(self) -> None:
        self.connection.close()


def command_calls(client) -> dict[str, int]:
    """INFO commandstats as {command: calls}, INFO itself left out."""
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()
            if name != "cmdstat_info"}


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after if after[name] - before.get(name, 0) > 0}


@contextlib.contextmanager
def monitor(redis_url: str, db: int, folder: Path):
    """redis-cli MONITOR while the block runs; yields a Counter filled afterwards with the commands seen on
    database `db`, scripts' own commands counted as 'script:NAME'."""
    from redis.connection import parse_url

    options = parse_url(redis_url)
    out = folder / f"monitor-{time.monotonic_ns()}.txt"
    counts: collections.Counter = collections.Counter()
    with open(out, "wb") as stream:
        process = subprocess.Popen(["redis-cli", "-h", str(options.get("host", "127.0.0.1")),
                                    "-p", str(options.get("port", 6379)), "monitor"], stdout=stream,
                                   stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while b"OK" not in out.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-cli monitor did not start")
            time.sleep(0.05)
        yield counts
        time.sleep(0.3)  # the last commands reach the file
    finally:
        process.terminate()
        process.wait(timeout=10)
    line = re.compile(rf'^[\d.]+ \[{db} (?P<client>\S+)\] "(?P<command>[^"]+)"')
    for text in out.read_text(errors="replace").splitlines():
        found = line.match(text)
        if found:
            command = found["command"].lower()
            counts[f"script:{command}" if found["client"] == "lua" else command] += 1


# --- CPU time ----------------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")
PARTS = ("app", "nginx", "postgres", "redis", "wrk")
SERVING = PARTS[:4]  # what serves requests; wrk only sends them


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) process `pid` has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot, all CPUs added up (/proc/stat: not idle, not iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # guest time is already counted in user


class CpuMeter:
    """CPU seconds of each part over a block: gunicorn (masters and workers), nginx (masters and workers), the
    PostgreSQL backends of the scratch database, redis-server, wrk (children of this process that ended in
    the block), and how busy the whole machine was."""

    def __init__(self, gunicorn_pids: list[int], nginx_pids: list[int], redis_pid: int, peaks: ConnectionPeaks):
        self.gunicorn_pids, self.nginx_pids, self.redis_pid, self.peaks = gunicorn_pids, nginx_pids, redis_pid, peaks
        self.used: dict[str, float] = {}
        self.busy = self.wall = 0.0

    @staticmethod
    def _tree(roots: list[int]) -> float:
        return sum(process_cpu(pid) + sum(process_cpu(child) for child in children(pid)) for pid in roots)

    def _reading(self) -> dict[str, float]:
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"app": self._tree(self.gunicorn_pids), "nginx": self._tree(self.nginx_pids),
                "redis": process_cpu(self.redis_pid), "wrk": ended.ru_utime + ended.ru_stime}

    def __enter__(self):
        self._backends = {pid: process_cpu(pid) for pid in self.peaks.backends()}
        self._start = self._reading()
        self._busy, self._wall = machine_busy(), time.monotonic()
        return self

    def __exit__(self, *exc):
        self.busy, self.wall = machine_busy() - self._busy, time.monotonic() - self._wall
        end = self._reading()
        self.used = {part: end[part] - self._start[part] for part in end}
        backends = set(self._backends) | self.peaks.backends()  # a backend opened during the block started at 0
        self.used["postgres"] = sum(max(0.0, process_cpu(pid) - self._backends.get(pid, 0.0)) for pid in backends)


# --- load --------------------------------------------------------------------------------------------------

@dataclass
class Run:
    round: int
    instances: int
    workers: int
    endpoint: str
    load: Load
    connections: list[int]  # peak per instance, in instance order
    database_total: int  # peak of all of them together
    redis: dict[str, int] = field(default_factory=dict)  # commandstats difference over the run
    cpu: dict[str, float] = field(default_factory=dict)  # seconds per part
    busy: float = 0.0  # busy CPU seconds of the machine
    wall: float = 0.0

    @property
    def errors(self) -> int:
        return self.load.non_2xx + self.load.socket_errors

    @property
    def redis_per_request(self) -> float:
        return sum(self.redis.values()) / self.load.requests if self.load.requests else 0.0

    def cpu_ms(self, part: str) -> float:
        return 1000 * self.cpu.get(part, 0.0) / self.load.requests if self.load.requests else 0.0

    @property
    def per_cpu(self) -> float:
        """Requests per second per CPU the serving parts (app, nginx, PostgreSQL, Redis; not wrk) kept busy:
        what the stack gets done with a whole CPU, however much of the machine other work took."""
        spent = sum(self.cpu_ms(part) for part in SERVING)
        return 1000 / spent if spent else 0.0


@dataclass
class Sample:
    """Requests one at a time: their statuses, the Redis commands seen, the PostgreSQL transactions."""

    requests: int
    statuses: collections.Counter
    commands: collections.Counter
    transactions: int


def requests_one_at_a_time(port: int, path: str, key: str, body: bytes, count: int) -> collections.Counter:
    statuses: collections.Counter = collections.Counter()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(count):
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[response.status] += 1
    finally:
        connection.close()
    return statuses


STATS_FLUSH_S = 11.0  # an idle PostgreSQL backend reports its transactions within 10 s


def sample(args, peaks: ConnectionPeaks, port: int, path: str, key: str, body: bytes, count: int,
           folder: Path) -> Sample:
    time.sleep(STATS_FLUSH_S)
    before = peaks.transactions()
    with monitor(args.redis_url, args.redis_db, folder) as commands:
        statuses = requests_one_at_a_time(port, path, key, body, count)
    time.sleep(STATS_FLUSH_S)
    return Sample(count, statuses, commands, peaks.transactions() - before)


def table(header: tuple, lines: list[tuple], left: set[int]) -> str:
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def render_line(line):
        return "  ".join(str(c).ljust(w) if i in left else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(line, widths))).rstrip()

    return "\n".join([render_line(header), "  ".join("-" * w for w in widths), *map(render_line, lines)])


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- main --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk time per run (default 10)")
    parser.add_argument("--warmup", type=float, default=1, help="unmeasured wrk time before each run (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="times each of one and two is measured (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="HIREMIX_WORKERS of each instance (default 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--sample-requests", type=int, default=200,
                        help="requests per endpoint, one at a time, for the exact counts (default 200)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server to make a scratch database on (default %(default)s)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="a Redis server (default %(default)s)")
    parser.add_argument("--redis-db", type=int, default=DEFAULT_REDIS_DB,
                        help="its database number for the counters, flushed before and after (default %(default)s)")
    args = parser.parse_args()
    for tool in ("wrk", "envsubst", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(f"benchmarks/scale_out.py needs {tool}")
    if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        sys.exit("benchmarks/scale_out.py needs nginx (apt-get install nginx)")
    # A SIGTERM unwinds like Ctrl-C, so servers stop, Redis is flushed and the scratch database is dropped.
    signal.signal(signal.SIGTERM, _interrupt)

    import redis
    from sqlalchemy import make_url

    from service.db import make_engine

    started, load_before = time.monotonic(), os.getloadavg()[0]
    redis_uri = f"{args.redis_url.rstrip('/')}/{args.redis_db}"
    store = redis.Redis.from_url(redis_uri, socket_timeout=5)
    files = Path(tempfile.mkdtemp(prefix="hiremix-scale-out-"))
    profile_file = files / "profile.json"
    profile_file.write_text(json.dumps(PROFILE))
    body = json.dumps(PROFILE).encode()
    base_env = {**os.environ, "HIREMIX_RATE_LIMIT": RATE_LIMIT, "HIREMIX_GRACEFUL_TIMEOUT": "5",
                "RATELIMIT_STORAGE_URI": redis_uri, "HIREMIX_PROXY_HOPS": "1", "HIREMIX_WORKERS": str(args.workers)}
    base_env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each gunicorn makes its own
    base_env.pop("PGAPPNAME", None)
    runs: list[Run] = []
    samples: dict[str, Sample] = {}
    try:
        held = store.dbsize()
        store.flushdb()
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(scratch_postgres(args.postgres_url))
            env = {**base_env, "DATABASE_URL": url}
            key = prepare_database(env)
            engine = make_engine(url)
            pool = (engine.pool.size(), engine.pool._max_overflow, type(engine.pool).__name__)
            engine.dispose()
            peaks = ConnectionPeaks(args.postgres_url, make_url(url).database)
            stack.callback(peaks.close)
            settings = {name: peaks.setting(name) for name in ("max_connections", "superuser_reserved_connections")}
            servers = [stack.enter_context(gunicorn("service:create_app()", {**env, "PGAPPNAME": app_name(n)},
                                                    files, f"instance-{n}")) for n in (1, 2)]
            upstreams = [f"{server.host}:{server.port}" for server in servers]
            proxies = {1: stack.enter_context(nginx(upstreams[:1], files / "nginx-one")),
                       2: stack.enter_context(nginx(upstreams, files / "nginx-two"))}
            meter = CpuMeter([server.process.pid for server in servers], [pid for _, pid in proxies.values()],
                             int(store.info("server")["process_id"]), peaks)
            wrk_env = {"BENCH_METHOD": "POST", "BENCH_KEY": key, "BENCH_BODY_FILE": str(profile_file)}
            for round_ in range(1, args.rounds + 1):
                for endpoint, path in ENDPOINTS:
                    for instances in (1, 2):  # one and two back to back: the pair sees the same machine
                        target = f"http://127.0.0.1:{proxies[instances][0]}{path}"
                        if args.warmup > 0:
                            wrk(target, "request.lua", args.warmup, args.connections, args.wrk_threads, wrk_env)
                        calls = command_calls(store)
                        with peaks, meter:
                            load = wrk(target, "request.lua", args.seconds, args.connections, args.wrk_threads,
                                       wrk_env)
                        redis_calls = difference(command_calls(store), calls)
                        for server in servers:
                            server.check()
                        runs.append(Run(round_, instances, sum(s.workers for s in servers[:instances]), endpoint,
                                        load, [peaks.peaks.get(app_name(n), 0) for n in (1, 2)], peaks.total,
                                        redis_calls, dict(meter.used), meter.busy, meter.wall))
                        print(f"round {round_}, {instances} instance(s), {endpoint}: {load.rate:,.0f} req/s",
                              file=sys.stderr, flush=True)
            for endpoint, path in ENDPOINTS:
                samples[endpoint] = sample(args, peaks, proxies[2][0], path, key, body, args.sample_requests, files)
            # Under the default budget of refused keys (30/minute per address), so every one is a 401.
            samples["unknown key (401)"] = sample(args, peaks, proxies[2][0], "/v1/recommendations/preview",
                                                  "hk_test_" + "x" * 40, body, 10, files)
            workers = [server.workers for server in servers]
    finally:
        with contextlib.suppress(Exception):
            store.flushdb()
        shutil.rmtree(files, ignore_errors=True)

    report(args, runs, samples, settings, pool, workers, held, load_before, started)


def report(args, runs: list[Run], samples: dict[str, Sample], settings, pool, workers, held, load_before,
           started) -> None:
    def mean(values):
        return statistics.fmean(values) if values else 0.0

    cpus = os.cpu_count() or 1

    def other(r: Run) -> str:
        return f"{100 * max(0.0, r.busy - sum(r.cpu.values())) / (cpus * r.wall):.0f} %" if r.wall else "-"

    print(f"hiremix, one instance against two behind nginx (deploy/nginx.conf.template), on {cpus} CPUs.")
    print(f"Each instance: gunicorn -c gunicorn.conf.py, HIREMIX_WORKERS={args.workers} (sync workers, "
          f"{os.environ.get('HIREMIX_THREADS') or 1} thread each), HIREMIX_PROXY_HOPS=1, HIREMIX_RATE_LIMIT="
          f"{RATE_LIMIT}, rate limits in Redis ({args.redis_url}/{args.redis_db}), one scratch PostgreSQL "
          f"database; HIREMIX_ENV={os.environ.get('HIREMIX_ENV') or 'development'}.")
    print(f"wrk through nginx (1 nginx worker process): {args.connections} connections, {args.wrk_threads} threads, "
          f"{args.seconds:g} s per run after {args.warmup:g} s unmeasured; per endpoint one then two, back to back, "
          f"{args.rounds} rounds. The second instance stays up, idle, during the one-instance runs.")
    print()
    header = ("round", "instances", "workers", "endpoint", "req/s", "p50 ms", "p99 ms", "errors",
              "PG conns peak (inst 1 + 2)", "Redis cmds/req", "other work", "req/s per CPU")
    lines = [(r.round, r.instances, r.workers, r.endpoint, f"{r.load.rate:,.0f}", f"{r.load.p50_ms:.1f}",
              f"{r.load.p99_ms:.1f}", f"{r.errors:,}", f"{r.connections[0]} + {r.connections[1]} = {r.database_total}",
              f"{r.redis_per_request:.2f}", other(r), f"{r.per_cpu:,.0f}") for r in runs]
    print(table(header, lines, {3}))
    print("other work: the share of the machine's CPU busy with anything but the parts measured here (other "
          "sessions' work, the kernel, PostgreSQL's background processes), during the run. req/s per CPU: 1000 ms "
          "over the CPU ms one request cost the app, nginx, PostgreSQL and Redis together (wrk left out), i.e. the "
          "requests a second one whole CPU serves, however much of the machine other work took.")
    print()
    summary = []
    for endpoint, _ in ENDPOINTS:
        for what, value in (("req/s", lambda r: r.load.rate), ("req/s per CPU", lambda r: r.per_cpu)):
            one = [value(r) for r in runs if r.endpoint == endpoint and r.instances == 1]
            two = [value(r) for r in runs if r.endpoint == endpoint and r.instances == 2]
            per_round = [b / a for a, b in zip(one, two) if a]
            summary.append((endpoint, what, f"{mean(one):,.0f}", f"{mean(two):,.0f}",
                            f"{mean(two) / mean(one):.2f}" if mean(one) else "-",
                            ", ".join(f"{ratio:.2f}" for ratio in per_round)))
    print(table(("endpoint", "figure", "one (mean)", "two (mean)", "two / one", "per round"), summary, {0, 1, 5}))
    print()
    print(f"CPU per request (ms of CPU time; the machine has {cpus} CPUs, so {cpus * 1000} ms of CPU a second) and how "
          "busy the machine was; 'other' = busy CPU not used by any part listed (other work on the machine, the "
          "kernel, PostgreSQL's own background processes):")
    header = ("round", "instances", "endpoint", *(f"{part} ms" for part in PARTS), "machine busy", "other")
    lines = []
    for r in runs:
        lines.append((r.round, r.instances, r.endpoint, *(f"{r.cpu_ms(part):.2f}" for part in PARTS),
                      f"{100 * r.busy / (cpus * r.wall):.0f} %" if r.wall else "-", other(r)))
    print(table(header, lines, {2}))
    print()
    print("Redis commands per request, from INFO commandstats over each wrk run (server-wide), by command:")
    for endpoint, _ in ENDPOINTS:
        totals: collections.Counter = collections.Counter()
        requests = 0
        for run in (r for r in runs if r.endpoint == endpoint):
            totals.update(run.redis)
            requests += run.load.requests
        by_command = ", ".join(f"{name} {count / requests:.2f}" for name, count in totals.most_common())
        print(f"  {endpoint}: {sum(totals.values()) / requests:.2f} ({by_command})")
    print(f"Requests one at a time through both instances: Redis commands from MONITOR (database {args.redis_db} "
          "only; script:X = a command run inside a Lua script), PostgreSQL transactions from pg_stat_database:")
    for name, found in samples.items():
        size = found.requests
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(found.statuses.items()))
        client = sum(count for command, count in found.commands.items() if not command.startswith("script:"))
        by_command = ", ".join(f"{command} {count / size:.2f}" for command, count in found.commands.most_common())
        print(f"  {name}, {size} requests ({statuses}): Redis {client / size:.2f} commands sent, "
              f"{sum(found.commands.values()) / size:.2f} with the scripts' own ({by_command}); "
              f"PostgreSQL {found.transactions / size:.2f} transactions")
    print()
    size, overflow, kind = pool
    peak = [max(r.connections[n] for r in runs) for n in (0, 1)]
    print(f"PostgreSQL: max_connections {settings['max_connections']}, superuser_reserved_connections "
          f"{settings['superuser_reserved_connections']}. Each process's pool ({kind}, service/db.py make_engine): "
          f"pool_size {size}, max_overflow {overflow}, so at most {size + overflow} connections per process.")
    print(f"Peak connections held during the runs: instance 1 {peak[0]} ({workers[0]} workers), instance 2 "
          f"{peak[1]} ({workers[1]} workers), all together {max(r.database_total for r in runs)} (this script's own "
          "sampling connection, to another database, not counted).")
    if held:
        print(f"Redis database {args.redis_db} held {held} keys before the run; they were flushed.")
    print(f"Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work on the machine skews "
          f"every figure). Total time {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: the servers are stopped, Redis is flushed and the scratch database is dropped",
              file=sys.stderr)
        sys.exit(130)
