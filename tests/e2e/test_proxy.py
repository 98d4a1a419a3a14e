"""deploy/nginx.conf.template in front of gunicorn, with Debian's nginx: slow clients stop holding workers.

Without the proxy, two idle connections hold both sync workers and /healthz stops answering (the
control below shows it). Through the proxy, /healthz keeps answering while 64 idle connections and 16
clients dripping a header byte a second are open. The latency is measured and printed, not asserted.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, free_port, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.template"
IDLE_CONNECTIONS = 64
DRIPPING_CLIENTS = 16


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs Debian's nginx for the proxy test: apt-get install nginx")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


def render(upstream: str, port: int) -> str:
    """The template as the official image renders it: envsubst limited to the two variables."""
    return subprocess.run(["envsubst", "${HIREMIX_UPSTREAM} ${HIREMIX_PROXY_PORT}"], input=TEMPLATE.read_text(),
                          env={"HIREMIX_UPSTREAM": upstream, "HIREMIX_PROXY_PORT": str(port)},
                          capture_output=True, text=True, check=True).stdout


@contextmanager
def nginx_in_front(upstream_port: int, folder: Path):
    """Debian's nginx, in the foreground, with the rendered template as its only server."""
    binary = _nginx()
    port = free_port()
    (folder / "hiremix.conf").write_text(render(f"127.0.0.1:{upstream_port}", port))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {folder}/body;\n proxy_temp_path {folder}/proxy;\n"
        f" fastcgi_temp_path {folder}/fastcgi;\n uwsgi_temp_path {folder}/uwsgi;\n scgi_temp_path {folder}/scgi;\n"
        f" include {folder}/hiremix.conf;\n}}\n")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + process.stderr.read().decode(errors="replace")
                                   + (folder / "error.log").read_text(errors="replace"))
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        return _healthz(port, timeout=1)[0] == 200
    except OSError:
        return False


def _healthz(port: int, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


@contextmanager
def slow_clients(port: int, idle: int, dripping: int):
    """`idle` connections that send nothing and `dripping` ones that send a header a byte a second."""
    stop = threading.Event()
    with ExitStack() as stack:
        for _ in range(idle):
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))

        def drip():
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                for byte in b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: " + b"a" * 100:
                    if stop.wait(1.0):
                        return
                    try:
                        sock.send(bytes([byte]))
                    except OSError:  # the proxy gave up on it: that is the point
                        return

        threads = [threading.Thread(target=drip, daemon=True) for _ in range(dripping)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # every slow client is connected and has started dripping
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {**sqlite_env(tmp_path_factory.mktemp("proxied")), "HIREMIX_PROXY_HOPS": "1"}
    with gunicorn(env, create_key(env, "proxied"), workers=2) as server:
        upstream = int(server.base.rsplit(":", 1)[1])
        with nginx_in_front(upstream, tmp_path_factory.mktemp("nginx")) as proxy_port:
            yield server, upstream, proxy_port


def test_healthz_through_the_proxy_keeps_answering_while_slow_clients_hold_connections(stack, record_property):
    _server, _upstream, proxy_port = stack
    latencies = []
    with slow_clients(proxy_port, IDLE_CONNECTIONS, DRIPPING_CLIENTS):
        for _ in range(20):
            status, elapsed = _healthz(proxy_port, timeout=5)
            assert status == 200
            latencies.append(elapsed)
            time.sleep(0.1)
    figures = {"median_ms": round(statistics.median(latencies), 1), "max_ms": round(max(latencies), 1)}
    record_property("healthz_through_proxy", figures)
    print(f"\n/healthz through nginx with {IDLE_CONNECTIONS} idle and {DRIPPING_CLIENTS} dripping clients: "
          f"median {figures['median_ms']} ms, max {figures['max_ms']} ms (target < 200 ms)")


def test_without_the_proxy_two_idle_connections_stop_healthz(stack):
    """The control: what the proxy is there for."""
    _server, upstream, _proxy_port = stack
    with slow_clients(upstream, idle=2, dripping=0):
        with pytest.raises(OSError):  # socket.timeout
            _healthz(upstream, timeout=2)


def test_links_follow_the_forwarded_host_and_location_stays_relative(stack):
    server, _upstream, proxy_port = stack
    connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=10)
    headers = {"Authorization": f"Bearer {server.key}", "Host": "hiremix.example.com",
               "Content-Type": "application/json", "X-Forwarded-Port": "6666", "X-Forwarded-Host": "evil.example"}
    body = b'{"stage":"seed","team_size":6,"product_complexity":"low","business_model":"b2b_saas"}'
    for _ in range(2):
        connection.request("POST", "/v1/recommendations", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 201 and response.headers["Location"].startswith("/v1/recommendations/rec_")
    connection.request("GET", "/v1/recommendations?limit=1", headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.headers["Link"].startswith("<http://hiremix.example.com/v1/recommendations?")


@pytest.mark.parametrize("path", ["/v1/simulations", "/v1/x%ff%22%0a"])
def test_the_proxy_refuses_an_oversized_body_as_a_problem(stack, path):
    server, _upstream, proxy_port = stack
    connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=10)
    connection.request("POST", path, body=b"{" + b" " * (600 * 1024) + b"}",
                       headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())  # valid JSON, whatever the path held
    assert response.status == 413 and response.headers["Content-Type"] == "application/problem+json"
    assert answer["code"] == "payload_too_large" and answer["instance"] in (path, "/")


def test_a_requisition_id_with_encoded_slashes_and_unicode_passes_the_proxy_unchanged(stack):
    """docs/metadata-and-requisitions.md: a `/` sent as %2F reaches hiremix as part of the external id."""
    server, _upstream, proxy_port = stack
    connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=10)
    headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
    body = b'{"stage":"seed","team_size":6,"product_complexity":"low","business_model":"b2b_saas"}'
    for path, external_id in (("/v1/requisitions/team%2FREQ%201%20%C3%A9/recommendation", "team/REQ 1 \u00e9"),
                              ("/v1/requisitions/%2Fa%2F%2Fb%2F/recommendation", "/a//b/")):
        answers = []
        for method in ("PUT", "PUT", "GET"):
            connection.request(method, path, body=body if method == "PUT" else None, headers=headers)
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
        assert [status for status, _ in answers] == [201, 200, 200], answers
        assert answers[0][1]["profile"]["external_id"] == external_id and answers[0][1] == answers[2][1]
