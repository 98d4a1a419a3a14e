"""The curl scripts in examples/ run against a real gunicorn and say what they promise.

Scripts are found by glob, so a new examples/*.sh is run here without touching this file;
add the lines it must print to EXPECTED.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.sh"))

# Lines (regular expressions) each script must print; any other script must just succeed.
EXPECTED = {
    "01-one-recommendation.sh": [
        r"201 Created, Location: /v1/recommendations/rec_[0-9a-z]{26}",
        r"verdict: +product_engineers",
        r"headcount: +4 product engineers, 0 software engineers",
        r"200 OK, identical to the 201 body, byte for byte",
        r"Idempotent-Replayed: true",
        r"nothing new was stored",
        r"hiremix recommendation for Acme Analytics: product engineers\.",
    ],
    "02-batch-from-csv.sh": [
        r"row 0: 201 stored rec_[0-9a-z]{26} +REQ-2001 +product_engineers",
        r"row 1: 201 stored .* +REQ-2002 +software_engineers",
        r"row 4: 201 stored .* +REQ-2005 +both",
        r"row 5: 422 validation_failed +/stage invalid_choice",
        r"stored 5, failed 1",
        r"wrote hiremix-export\.csv: \d+ recommendations",
        r"id,recommendation,stage,team_size,business_model",
    ],
    "03-tuned-weight-profile.sh": [
        r"wp_[0-9a-z]{26} \"Security-first\" version 1",
        r"Location: /v1/weight-profiles/wp_[0-9a-z]{26}/versions/2",
        r"built-in \(wp_default v1\): +product_engineers",
        r"Security-first version 1: +both",
        r"Security-first \(latest, v2\): +software_engineers",
    ],
    "04-simulation.sh": [
        r"stored 4",
        r"evaluated \d+, changed \d+",
        r"SIM-1 +product_engineers -> software_engineers",
        r"SIM-2 +product_engineers -> both",
        r"Of the 4 stored just now, 2 would change under the draft",
    ],
}


def run(script: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("HIREMIX_URL", "HIREMIX_KEY")}
    return subprocess.run([str(script)], cwd=cwd, env={**environment, **env}, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = sqlite_env(tmp_path_factory.mktemp("examples"))
    with gunicorn(env, create_key(env, "examples")) as running:
        yield running


def test_every_use_case_has_a_script():
    assert set(EXPECTED) <= {script.name for script in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_script_runs_against_gunicorn(server, script, tmp_path):
    result = run(script, tmp_path, HIREMIX_URL=server.base, HIREMIX_KEY=server.key)
    assert result.returncode == 0, result.stdout + result.stderr
    for expected in EXPECTED.get(script.name, []):
        assert re.search(expected, result.stdout), f"{expected!r} not in:\n{result.stdout}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_script_without_a_key_says_so(script, tmp_path):
    result = run(script, tmp_path)
    assert result.returncode == 1
    assert "HIREMIX_KEY is not set" in result.stderr
    assert "make run" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_script_stops_on_an_unexpected_status(server, script, tmp_path):
    result = run(script, tmp_path, HIREMIX_URL=server.base, HIREMIX_KEY="hk_test_" + "x" * 40)
    assert result.returncode == 1
    assert re.search(r"answered 401, expected 20[01]", result.stderr), result.stderr
    assert '"code":"unauthenticated"' in result.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_script_says_what_it_shows_and_how_to_run_it(script):
    text = script.read_text()
    header = text.split("set -euo pipefail", 1)[0]
    assert text.startswith("#!/usr/bin/env bash\n# ")
    assert f"examples/{script.name}" in header and "HIREMIX_KEY" in header
    assert "set -euo pipefail" in text
    assert not re.search(r"\bjq\b", text.replace("(no jq)", ""))
