"""The installed `hiremix` console script against a real gunicorn server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, free_port, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

HIREMIX = Path(sys.executable).parent / "hiremix"
PROFILE = ["--stage", "seed", "--team-size", "6", "--product-complexity", "low", "--business-model", "b2b_saas",
           "--priority", "ship_fast", "--planned-hires", "4"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = sqlite_env(tmp_path_factory.mktemp("console"))
    with gunicorn(env, create_key(env, "console"), workers=1) as running:
        yield running


def hiremix(*argv: str, **env: str) -> subprocess.CompletedProcess:
    """Run the console script with only the HIREMIX_* variables given here."""
    if not HIREMIX.exists():
        pytest.fail(f"{HIREMIX} is missing: install the package with `pip install -e .`")
    clean = {name: value for name, value in os.environ.items() if not name.startswith("HIREMIX_")}
    return subprocess.run([str(HIREMIX), "recommend", *argv], env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


def test_preview_through_the_api_is_the_local_document(server):
    remote = hiremix(*PROFILE, "--api", server.base, "--key", server.key, "--json")
    local = hiremix(*PROFILE, "--json")
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_api_and_key_may_come_from_the_environment(server):
    result = hiremix(*PROFILE, HIREMIX_URL=server.base, HIREMIX_KEY=server.key)
    assert result.returncode == 0, result.stderr
    assert "Recommendation: product engineers" in result.stdout


def test_store_prints_the_id_the_server_keeps(server):
    result = hiremix(*PROFILE, "--api", server.base, "--key", server.key, "--store")
    assert result.returncode == 0, result.stderr
    stored_id = result.stdout.split()[2]
    assert result.stdout.startswith(f"Stored as {stored_id} ")
    assert server.call("GET", f"/v1/recommendations/{stored_id}")[0] == 200


def test_a_wrong_key_exits_1_saying_it_was_refused(server):
    result = hiremix(*PROFILE, "--api", server.base, "--key", "hk_test_not_a_real_key")
    assert result.returncode == 1
    assert result.stderr.startswith("hiremix: the server refused the API key")
    assert "hk_test_not_a_real_key" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_value_the_server_refuses_is_reported_as_the_option(server):
    result = hiremix(*PROFILE, "--team-size", "-3", "--api", server.base, "--key", server.key)
    assert result.returncode == 1
    assert "--team-size: Must be between 0 and 1,000,000." in result.stderr.splitlines()


def test_an_unreachable_server_exits_1_in_one_line():
    base = f"http://127.0.0.1:{free_port()}"
    result = hiremix(*PROFILE, "--api", base, "--key", "hk_test_x")
    assert result.returncode == 1
    assert result.stderr == f"hiremix: cannot reach {base}: Connection refused\n"
    assert result.stdout == ""


def test_a_redirect_is_refused_and_the_key_goes_nowhere(tmp_path):
    import http.server
    import threading

    seen = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args):
            pass

    with http.server.HTTPServer(("127.0.0.1", 0), Redirect) as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        result = hiremix(*PROFILE, "--api", f"http://127.0.0.1:{proxy.server_port}", "--store",
                         HIREMIX_KEY="hk_test_" + "R" * 40)
        proxy.shutdown()
    assert result.returncode == 1 and "redirected (302)" in result.stderr, result.stderr
    assert [path for path, _auth in seen] == ["/v1/recommendations"]  # the redirect target was never asked
