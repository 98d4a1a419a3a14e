"""End to end: migrate with the CLI, serve with gunicorn, call over real HTTP."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e

PROFILE = {"stage": "series_a", "team_size": 12, "product_complexity": "high", "business_model": "b2b_saas",
           "priorities": ["ship_fast", "security"], "planned_hires": 3, "external_id": "REQ-E2E"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with two workers on a fresh SQLite file migrated by `flask db upgrade`."""
    workdir = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'hiremix.db'}"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "service", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--graceful-timeout", "5", "service:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/openapi.json")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start: " + process.stderr.read().decode(errors="replace")[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=15)


def test_create_fetch_list_delete_over_http(server):
    status, headers, created = call(server, "POST", "/v1/recommendations", PROFILE)
    assert status == 201
    location = headers["Location"]
    body = json.loads(created)
    assert body["headcount"]["product_engineers"] + body["headcount"]["software_engineers"] == 3

    status, _, fetched = call(server, "GET", location)
    assert status == 200 and fetched == created

    status, _, page = call(server, "GET", "/v1/recommendations?external_id=REQ-E2E")
    assert [item["id"] for item in json.loads(page)["data"]] == [body["id"]]

    assert call(server, "DELETE", location)[0] == 204
    assert call(server, "GET", location)[0] == 404


def test_errors_over_http_are_problem_json(server):
    status, headers, raw = call(server, "POST", "/v1/recommendations", {"stage": "seed"},
                                headers={"X-Request-Id": "e2e-1"})
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["X-Request-Id"] == "e2e-1"
    assert json.loads(raw)["request_id"] == "e2e-1"


def test_preview_over_http_stores_nothing(server):
    status, _, _ = call(server, "POST", "/v1/recommendations/preview", PROFILE)
    assert status == 200
    assert json.loads(call(server, "GET", "/v1/recommendations")[2])["data"] == []


def _chunked_post(base, path, chunks):
    """POST with Transfer-Encoding: chunked (no Content-Length), as streaming clients do."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", path, body=iter(chunks), headers={"Content-Type": "application/json"},
                       encode_chunked=True)
    response = connection.getresponse()
    status, raw = response.status, response.read()
    connection.close()
    return status, raw


def test_chunked_body_is_read(server):
    status, _ = _chunked_post(server, "/v1/recommendations/preview", [json.dumps(PROFILE).encode()])
    assert status == 200


def test_chunked_body_over_the_limit_is_413_not_truncated(server):
    filler = b" " * (64 * 1024)
    chunks = [json.dumps(PROFILE).encode()[:-1], b', "company_name": "x"'] + [filler] * 20 + [b"}"]
    status, raw = _chunked_post(server, "/v1/recommendations/preview", chunks)
    assert status == 413
    assert json.loads(raw)["code"] == "payload_too_large"
