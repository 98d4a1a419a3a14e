"""The container image, without a Docker engine: run the exact commands the Dockerfile runs.

The Dockerfile's pip installs run in a fresh virtual environment, its ENV is
applied, the documented one-off migration runs, its CMD starts gunicorn, and
its HEALTHCHECK command must pass. Only the paths change (/opt/venv, /app).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.e2e.servers import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(stage: int) -> list[tuple[str, str]]:
    """(instruction, argument) of one build stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    stages = re.split(r"^FROM .*$", text, flags=re.M)[1:]
    lines = [line.strip() for line in stages[stage].splitlines() if line.strip() and not line.startswith("#")]
    return [tuple(line.split(" ", 1)) for line in lines]


def test_requirements_pin_every_runtime_dependency_of_pyproject():
    import tomllib

    wanted = {re.split(r"[\[<>=]", d)[0].lower().replace("_", "-")
              for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    assert wanted <= pinned, wanted - pinned


def test_compose_runs_migrations_once_before_the_app():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert compose["migrate"]["command"] == ["flask", "--app", "service", "db", "upgrade"]
    assert compose["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["app"]["environment"]["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert {"postgres", "redis"} <= set(compose)


def test_compose_runs_the_webhook_worker_with_the_app_settings_and_an_encryption_key():
    text = (ROOT / "compose.yaml").read_text()
    compose = yaml.safe_load(text)["services"]
    worker = compose["webhooks"]
    assert worker["command"] == ["flask", "--app", "service", "webhooks", "work"]
    assert worker["image"] == compose["app"]["image"] and worker["environment"] == compose["app"]["environment"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert not worker.get("ports")
    # Production refuses to start without its own key: compose stops early, naming it, when it is not set.
    assert "${HIREMIX_ENCRYPTION_KEYS:?" in text
    assert "${HIREMIX_SECRET_KEY:?" in text


def test_compose_publishes_only_the_proxy_and_the_app_trusts_one_hop():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    published = [name for name, service in compose.items() if service.get("ports")]
    assert published == ["proxy"]
    assert "./deploy/nginx.conf.template:/etc/nginx/templates/hiremix.conf.template:ro" in compose["proxy"]["volumes"]
    assert compose["proxy"]["environment"]["HIREMIX_UPSTREAM"] == "app:8000"
    assert compose["app"]["environment"]["HIREMIX_PROXY_HOPS"] == "1"


def test_the_image_commands_install_migrate_serve_and_pass_the_healthcheck(tmp_path):
    build, runtime = instructions(0), instructions(1)
    venv, src, app_dir = tmp_path / "venv", tmp_path / "src", tmp_path / "app"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    src.mkdir()
    for instruction, argument in build:  # COPY and RUN of the build stage, in order
        if instruction == "COPY":
            *sources, _target = argument.split()
            for source in sources:
                origin = ROOT / source
                (shutil.copytree if origin.is_dir() else shutil.copy)(origin, src / source)
        elif instruction == "RUN" and argument.startswith("pip "):
            subprocess.run(argument, shell=True, cwd=src, env=env, check=True, capture_output=True)
    app_dir.mkdir()
    shutil.copy(ROOT / "gunicorn.conf.py", app_dir / "gunicorn.conf.py")
    for instruction, argument in runtime:
        if instruction == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", argument):
                env[name] = value.replace("$PATH", env["PATH"]).replace("/opt/venv", str(venv))
    port = free_port()
    assert env["HIREMIX_HOST"] == "0.0.0.0" and env["PORT"] == "8000"
    # Only loopback and a free port here; PORT is what platforms such as Cloud Run set too.
    env.update(HIREMIX_HOST="127.0.0.1", PORT=str(port), DATABASE_URL=f"sqlite:///{app_dir / 'var' / 'hiremix.db'}",
               RATELIMIT_STORAGE_URI="memory://")  # production needs a storage named: per-worker counting, on purpose
    assert env["HIREMIX_ENV"] == "production"

    migrate = subprocess.run(["flask", "--app", "service", "db", "upgrade"], cwd=app_dir, env=env,
                             capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr

    command = json.loads(dict(runtime)["CMD"])
    command = [part.replace("/app/", f"{app_dir}/") for part in command]
    log = open(tmp_path / "gunicorn.log", "w")
    server = subprocess.Popen(command, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        health = re.search(r'CMD (\[.*\])', dict(runtime)["HEALTHCHECK"]).group(1)
        probe = json.loads(health)
        while True:
            checked = subprocess.run(probe, env=env, capture_output=True)
            if checked.returncode == 0:
                break
            assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as ready:
            assert json.load(ready) == {"status": "ready"}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    lines = [line for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.strip()]
    assert lines and all(json.loads(line) for line in lines)  # production logs: one JSON object per line
