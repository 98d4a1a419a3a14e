"""Health, readiness, metrics and the per-request log line."""

import io
import json
import logging

from service import create_app
from service.http import access_log
from tests.api.conftest import VALID, problem


def test_healthz_answers_without_the_database():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none", "HIREMIX_DB_TIMEOUT": "1"})
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_is_ready_on_a_migrated_database(anonymous):
    assert anonymous.get("/readyz").get_json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_unreachable_or_not_migrated(tmp_path):
    down = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none", "HIREMIX_DB_TIMEOUT": "1"})
    response = down.test_client().get("/readyz")
    problem(response, 503, "database_unavailable")
    assert response.headers["Retry-After"] == "5"
    empty = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert "migrations" in problem(empty.test_client().get("/readyz"), 503, "database_unavailable")["detail"]


def _sample(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and line.split("}")[0].count("=") == len(labels):
            got = ",".join(sorted(line[len(name) + 1:line.index("}")].split(",")))
            if got == wanted:
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_and_recommendations_by_outcome(client, anonymous):
    before = anonymous.get("/metrics").get_data(as_text=True)
    created = client.post("/v1/recommendations", json=VALID).get_json()
    client.get(f"/v1/recommendations/{created['id']}")
    client.post("/v1/recommendations/batch", json={"items": [VALID, {**VALID, "stage": "x"}]})
    response = anonymous.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = response.get_data(as_text=True)

    def grew(name, **labels):
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert grew("hiremix_http_requests_total", method="POST", route="/v1/recommendations", status="201") == 1
    assert grew("hiremix_http_requests_total", method="GET", route="/v1/recommendations/<recommendation_id:id>",
                status="200") == 1
    assert grew("hiremix_recommendations_total", recommendation=created["recommendation"]) == 2
    assert grew("hiremix_http_request_duration_seconds_count", method="POST", route="/v1/recommendations") == 1
    assert created["id"] not in after


def test_a_production_log_line_is_json_with_tenant_route_status_and_duration_never_the_key(database_url, app,
                                                                                            new_key):
    api_key = new_key("live", live=True)  # production takes live keys only
    production = create_app({"DATABASE_URL": database_url, "HIREMIX_ENV": "production"})
    handler = next(h for h in logging.getLogger("hiremix").handlers if isinstance(h, access_log._Handler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        production.test_client().post("/v1/recommendations", json={**VALID, "company_name": "Secret Co"},
                                      headers={"Authorization": f"Bearer {api_key}", "X-Request-Id": "req-7"})
    finally:
        handler.setStream(previous)
        create_app({"DATABASE_URL": database_url})  # back to the plain formatter for the other tests
        production.extensions["hiremix"].engine.dispose()
    [line] = [json.loads(raw) for raw in stream.getvalue().splitlines() if '"route"' in raw]
    assert (line["request_id"], line["method"], line["route"], line["status"]) == (
        "req-7", "POST", "/v1/recommendations", 201)
    assert line["tenant"].startswith("ten_") and line["key_id"].startswith("key_") and line["duration_ms"] >= 0
    raw = stream.getvalue()
    assert api_key not in raw and api_key[8:20] not in raw and "Secret Co" not in raw


def test_a_made_up_method_cannot_grow_the_metrics(anonymous):
    for method in ("AAAA", "BBBB", "PROPFIND"):
        anonymous.open("/healthz", method=method)
    text = anonymous.get("/metrics").get_data(as_text=True)
    assert "AAAA" not in text and "PROPFIND" not in text
    assert 'method="other",route="unmatched",status="405"' in text


def test_metrics_with_a_token_need_it(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_METRICS_TOKEN": "s3cret-scrape"})
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert answer.status_code == 200 and b"hiremix_http_requests_total" in answer.data


def test_guessing_the_metrics_token_is_rate_limited_per_address(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_METRICS_TOKEN": "s3cret-scrape",
                      "HIREMIX_AUTH_FAILURE_LIMIT": "2/minute"})
    client = app.test_client()
    wrong = {"Authorization": "Bearer guess"}
    assert [client.get("/metrics", headers=wrong).status_code for _ in range(3)] == [401, 401, 429]


def test_production_serves_no_metrics_without_a_token(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_ENV": "production"})
    response = app.test_client().get("/metrics")
    assert response.status_code == 404 and b"HIREMIX_METRICS_TOKEN" in response.data
