"""End to end: migrate with the CLI, serve with gunicorn, call over real HTTP."""

import http.client
import json

import pytest

from tests.e2e.servers import create_key, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

PROFILE = {"stage": "series_a", "team_size": 12, "product_complexity": "high", "business_model": "b2b_saas",
           "priorities": ["ship_fast", "security"], "planned_hires": 3, "external_id": "REQ-E2E"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with two workers on a fresh SQLite file migrated by `flask db upgrade`."""
    env = sqlite_env(tmp_path_factory.mktemp("e2e"))
    with gunicorn(env, create_key(env, "e2e")) as running:
        yield running


def call(server, method, path, body=None, headers=None):
    return server.call(method, path, body, headers)


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


def _chunked_post(server, path, chunks):
    """POST with Transfer-Encoding: chunked (no Content-Length), as streaming clients do."""
    host, port = server.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", path, body=iter(chunks), encode_chunked=True,
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {server.key}"})
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


def test_no_key_is_401_over_http(server):
    status, headers, raw = server.call("GET", "/v1/recommendations", key=None)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(raw)["code"] == "unauthenticated"


def test_metrics_add_up_every_worker_and_leave_other_files_alone(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "keep.txt").write_text("not ours")
    env = {**sqlite_env(tmp_path), "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with gunicorn(env, "unused", workers=3) as running:
        for _ in range(30):
            assert running.call("GET", "/healthz", key=None)[0] == 200
        scrapes = [running.call("GET", "/metrics", key=None)[2].decode() for _ in range(6)]
    counted = {
        float(line.rsplit(" ", 1)[1])
        for text in scrapes for line in text.splitlines()
        if line.startswith('hiremix_http_requests_total{method="GET",route="/healthz",status="200"}')
    }
    assert counted == {31.0}  # 30 calls plus the readiness poll of the fixture, whichever worker answers
    assert (folder / "keep.txt").read_text() == "not ours"
