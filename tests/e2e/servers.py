"""Real servers for end-to-end tests: the CLI to migrate and make keys, gunicorn to serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Server:
    base: str
    key: str

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
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--graceful-timeout", "5", "service:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}", key)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if server.call("GET", "/openapi.json", key=None)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stderr.close()
