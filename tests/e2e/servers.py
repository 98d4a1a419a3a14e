"""Real servers for end-to-end tests: the CLI to migrate and make keys, gunicorn to serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@dataclass(frozen=True)
class Server:
    base: str
    key: str
    pid: int = 0  # gunicorn's master process

    def call(self, method, path, body=None, headers=None, key: str | None = "default"):
        """(status, headers, raw body); sends this server's key unless `key` says otherwise."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        chosen = self.key if key == "default" else key
        if chosen is not None:
            request.add_header("Authorization", f"Bearer {chosen}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], env=env, check=True,
                          capture_output=True, text=True)


def create_key(env: dict, name: str, *options: str) -> str:
    """`flask keys create`: the key is alone on the last line of output."""
    return flask(env, "keys", "create", "--name", name, *options).stdout.strip().splitlines()[-1]


@contextmanager
def gunicorn(env: dict, key: str, workers: int = 2):
    """gunicorn with the project's gunicorn.conf.py; its log goes to a file (a full pipe would block it)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="hiremix-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "service:create_app()"],
        env={**env, "PORT": str(port), "HIREMIX_WORKERS": str(workers), "HIREMIX_GRACEFUL_TIMEOUT": "5"},
        stdout=subprocess.DEVNULL, stderr=log,
    )
    server = Server(f"http://127.0.0.1:{port}", key, process.pid)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if server.call("GET", "/healthz", key=None)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("gunicorn did not start: " + Path(log.name).read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


def sqlite_env(folder: Path) -> dict:
    """The environment of a fresh SQLite file in `folder`, migrated by `flask db upgrade`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'hiremix.db'}"}
    flask(env, "db", "upgrade")
    return env


@contextmanager
def scratch_postgres():
    """A fresh, migrated PostgreSQL database of its own (dropped afterwards), or a skip without one."""
    import uuid

    import pytest
    from sqlalchemy import make_url, text

    from service.db import make_engine

    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        pytest.skip("TEST_DATABASE_URL is not set")
    name = f"hiremix_e2e_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url}
    try:
        flask(env, "db", "upgrade")
        yield env
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
