"""A setting that cannot work stops the start with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BAD = [
    ({"DATABASE_URL": "::not a url::"}, "DATABASE_URL is not a database URL"),
    ({"DATABASE_URL": "mysql://root@localhost/hiremix"}, "DATABASE_URL names the 'mysql' database"),
    ({"HIREMIX_RATE_LIMIT": "lots"}, "HIREMIX_RATE_LIMIT must look like"),
    ({"HIREMIX_ENV": "staging"}, "HIREMIX_ENV must be one of"),
    ({"HIREMIX_DB_TIMEOUT": "forever"}, "HIREMIX_DB_TIMEOUT must be a number of seconds"),
    ({"HIREMIX_KEY_CACHE_SECONDS": "-1"}, "HIREMIX_KEY_CACHE_SECONDS must be a number of seconds from 0 or 0.1"),
    ({"HIREMIX_ENV": "production", "FLASK_DEBUG": "1"}, "never runs in debug mode"),
    ({"HIREMIX_ENV": "production", "FLASK_DEBUG": "on"}, "never runs in debug mode"),
]


@pytest.mark.parametrize(("settings", "message"), BAD)
@pytest.mark.parametrize("program", ["flask", "gunicorn"])
def test_one_line_and_exit_status_2(tmp_path, program, settings, message):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", **settings}
    command = ([sys.executable, "-m", "flask", "--app", "service", "db", "current"] if program == "flask" else
               [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "service:create_app()"])
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"HIREMIX_WORKERS": "many"}, "hiremix: HIREMIX_WORKERS must be a whole number from 1 to 64, got 'many'"),
        ({"HIREMIX_LOG_LEVEL": "verbose"}, "hiremix: HIREMIX_LOG_LEVEL must be debug, info, warning, error or "
                                           "critical, got 'verbose'"),
        ({"HIREMIX_DB_TIMEOUT": "10"}, "hiremix: HIREMIX_DB_TIMEOUT (10 s) must be under a third of "
                                       "HIREMIX_WORKER_TIMEOUT (30 s), or slow requests end as killed workers"),
        ({"HIREMIX_ENV": "production", "HIREMIX_WORKERS": "2", "RATELIMIT_STORAGE_URI": ""},
         "hiremix: configuration error: HIREMIX_ENV=production with 2 workers needs a shared rate-limit store: set "
         "RATELIMIT_STORAGE_URI=redis://host:6379/0 (or memory:// to count per worker on purpose)"),
    ],
)
def test_bad_gunicorn_settings_are_one_line_too(tmp_path, settings, message):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", **settings}
    env = {name: value for name, value in env.items() if value != ""}  # "" stands for "not set"
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             "service:create_app()"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.strip() == message


def test_production_with_a_shared_or_a_chosen_store_starts(tmp_path):
    """The control of the check above: naming the store, even memory://, is enough to start."""
    from tests.e2e.servers import free_port

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "HIREMIX_ENV": "production",
           "HIREMIX_WORKERS": "2", "RATELIMIT_STORAGE_URI": "memory://", "PORT": str(free_port())}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                               "service:create_app()"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with pytest.raises(subprocess.TimeoutExpired):  # still serving after 3 s: it started
            server.wait(timeout=3)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_two_instances_on_one_host_share_no_control_socket(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    from tests.e2e.servers import free_port

    servers = []
    try:
        for name in ("a", "b"):
            env = {**os.environ, "HOME": str(home), "DATABASE_URL": f"sqlite:///{tmp_path / (name + '.db')}",
                   "PORT": str(free_port()), "HIREMIX_WORKERS": "1"}
            servers.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                             "service:create_app()"], env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        for server in servers:
            with pytest.raises(subprocess.TimeoutExpired):
                server.wait(timeout=2)
        assert not (home / ".gunicorn").exists()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
