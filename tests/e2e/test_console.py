"""The installed `hiremix` console script against a real gunicorn server, and at a real (pseudo-)terminal."""

from __future__ import annotations

import fcntl
import json
import os
import select
import struct
import subprocess
import sys
import termios
import time
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
                          stdin=subprocess.DEVNULL, timeout=60)


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


def test_without_a_terminal_a_missing_option_is_the_first_line_of_stderr():
    result = hiremix("--stage", "Series-A")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        ("hiremix recommend: error: the following arguments are required: --team-size, --product-complexity, "
         "--business-model"),
        "Run 'hiremix recommend --help' for every option."]


# At a terminal: the console script on a pseudo-terminal, 80 columns wide, typed at like a person would.


TAKE_THE_TERMINAL = ("import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
                     "os.execv(sys.argv[1], sys.argv[1:])")


class Terminal:
    """`hiremix recommend` on a pseudo-terminal of `columns` columns: what it shows, and a keyboard."""

    def __init__(self, columns: int):
        if not HIREMIX.exists():
            pytest.fail(f"{HIREMIX} is missing: install the package with `pip install -e .`")
        self.screen, side = os.openpty()
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("HIREMIX_") and name != "COLUMNS"}
        # In a session of its own with this terminal as the controlling one, so that Ctrl-C typed is a SIGINT.
        self.process = subprocess.Popen([sys.executable, "-c", TAKE_THE_TERMINAL, str(HIREMIX), "recommend"],
                                        stdin=side, stdout=side, stderr=side, env=env, start_new_session=True)
        os.close(side)
        self.shown, self.seen = "", 0

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Read until `text` shows after what was waited for before."""
        deadline = time.monotonic() + timeout
        while text not in self.shown[self.seen:]:
            if not self._read(deadline - time.monotonic()):
                pytest.fail(f"{text!r} never showed; the terminal shows:\n{self.shown}")
        self.seen = self.shown.index(text, self.seen) + len(text)

    def type(self, keys: str) -> None:
        os.write(self.screen, keys.encode())

    def finish(self, timeout: float = 30) -> int:
        """Everything left to show, then the exit status."""
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))

    def lines(self) -> list[str]:
        return self.shown.splitlines()

    def _read(self, timeout: float) -> bool:
        if timeout <= 0 or not select.select([self.screen], [], [], timeout)[0]:
            return False
        try:
            chunk = os.read(self.screen, 4096)
        except OSError:  # Linux: the other side is closed, everything was read
            return False
        self.shown += chunk.decode(errors="replace").replace("\r\n", "\n")
        return bool(chunk)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self.screen)


@pytest.fixture
def terminal():
    opened = []

    def open_terminal(columns: int = 80) -> Terminal:
        opened.append(Terminal(columns))
        return opened[-1]
    yield open_terminal
    for each in opened:
        each.close()


ANSWERS = [("Company stage [1-7]: ", "series z"), ("Company stage [1-7]: ", "3"),
           ("Engineers today [a number]: ", "-3"), ("Engineers today [a number]: ", "25"),
           ("Product complexity [1-4]: ", "High"), ("Business model [1-8]: ", "b2b-saas"),
           ("Priorities [1-6, several with commas; Enter for none]: ", "1, reliability"),
           ("Customer access [1-3, Enter to skip]: ", "1"), ("Planned hires [a number, Enter to skip]: ", "5"),
           ("Company name [Enter to skip]: ", ""), ("Requisition id [Enter to skip]: ", "")]


def answer_every_question(screen) -> None:
    for question, answer in ANSWERS:
        screen.wait_for(question)
        screen.type(answer + "\n")


def test_at_a_terminal_it_asks_for_each_field_then_gives_the_verdict(terminal):
    screen = terminal(80)
    answer_every_question(screen)
    assert screen.finish() == 0, screen.shown
    assert "  'series z' is not on the list: pick a number from 1 to 7." in screen.lines()
    assert "  Must be between 0 and 1,000,000." in screen.lines()
    assert "   3. Series A" in screen.lines()
    answer = screen.shown[screen.shown.index("\nRecommendation: "):].splitlines()[1:]
    assert answer[0] == answer[-1] == "Recommendation: product engineers"
    assert "Planned hires 5: 4 product engineers, 1 software engineer" in answer
    assert max(len(line) for line in screen.lines()) <= 80


def test_at_a_terminal_the_table_fits_its_width(terminal):
    screen = terminal(60)
    answer_every_question(screen)
    assert screen.finish() == 0, screen.shown
    answer = screen.shown[screen.shown.index("\nRecommendation: "):].splitlines()
    assert max(len(line) for line in answer) <= 60


def test_ctrl_c_at_a_question_exits_130_without_a_traceback(terminal):
    screen = terminal()
    screen.wait_for("Company stage [1-7]: ")
    time.sleep(0.3)  # as a person would: a SIGINT between the question and the read is only seen at Enter
    screen.type("\x03")
    assert screen.finish() == 130
    assert "Traceback" not in screen.shown and "Recommendation" not in screen.shown


def test_ctrl_d_at_a_question_exits_1_saying_nothing_was_evaluated(terminal):
    screen = terminal()
    screen.wait_for("Company stage [1-7]: ")
    screen.type("seed\n")
    screen.wait_for("Engineers today [a number]: ")
    screen.type("\x04")
    assert screen.finish() == 1
    assert screen.lines()[-1] == "hiremix: the input ended before the last question; nothing was evaluated"
    assert "Traceback" not in screen.shown
