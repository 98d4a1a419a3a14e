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
    ],
)
def test_bad_gunicorn_settings_are_one_line_too(tmp_path, settings, message):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", **settings}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             "service:create_app()"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.strip() == message
