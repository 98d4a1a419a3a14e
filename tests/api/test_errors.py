"""Every error is problem+json; nothing internal leaks; request ids are echoed."""

import pytest
from sqlalchemy import text

from service import create_app
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ("{not json", "not valid JSON"),
        ("", "empty"),
        ("   ", "empty"),
        ('{"stage": NaN}', "NaN is not a JSON value"),
        ('{"stage": "seed", "stage": "public"}', "'stage' more than once"),
        ("[" * 15_000, "not JSON this service can read"),
        ('{"team_size": 1' + "0" * 5000 + "}", "not JSON this service can read"),
    ],
)
def test_malformed_json_is_400(client, data, detail, stored_count):
    body = problem(client.post("/v1/recommendations", data=data, content_type="application/json"), 400, "malformed_json")
    assert detail in body["detail"]
    assert stored_count() == 0


def test_body_that_is_not_utf8_is_400(client):
    response = client.post("/v1/recommendations", data=b'{"stage": "\xff"}', content_type="application/json")
    problem(response, 400, "malformed_json")


def test_a_utf8_byte_order_mark_is_tolerated(client):
    data = "\ufeff" + '{"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}'
    response = client.post("/v1/recommendations/preview", data=data.encode("utf-8"), content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_media_type_is_415(client, content_type):
    response = client.post("/v1/recommendations", data='{"stage": "seed"}', content_type=content_type)
    problem(response, 415, "unsupported_media_type")
    assert response.headers["Accept"] == "application/json"


def test_json_with_charset_or_a_json_suffix_is_accepted(client):
    for content_type in ("application/json; charset=utf-8", "application/vnd.hiremix+json"):
        response = client.post("/v1/recommendations/preview", json=VALID, content_type=content_type)
        assert response.status_code == 200, content_type


def test_oversized_body_is_413_and_stores_nothing(database_url, api_key):
    app = create_app({"DATABASE_URL": database_url, "HIREMIX_MAX_BODY_BYTES": "200"})
    client = keyed_client(app, api_key)
    response = client.post("/v1/recommendations", json={**VALID, "company_name": "x" * 300})
    body = problem(response, 413, "payload_too_large")
    assert "200 bytes" in body["detail"]
    assert client.get("/v1/recommendations").get_json()["data"] == []
    app.extensions["hiremix"].engine.dispose()


def test_unknown_path_is_404(client):
    problem(client.get("/v2/nothing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.put("/v1/recommendations")
    problem(response, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_unexpected_error_is_500_without_internals(database_url, caplog):
    app = create_app({"DATABASE_URL": database_url})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: SELECT * FROM recommendations")

    response = app.test_client().get("/boom")
    body = problem(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["request_id"] in body["detail"]
    assert "secret internals" in caplog.text  # but the operator sees it in the log
    app.extensions["hiremix"].engine.dispose()


def test_the_callers_request_id_is_echoed(client):
    response = client.get("/v1/recommendations", headers={"X-Request-Id": "req-abc.123"})
    assert response.headers["X-Request-Id"] == "req-abc.123"
    assert problem(client.get("/nope", headers={"X-Request-Id": "req-xyz"}), 404, "not_found")["request_id"] == "req-xyz"


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/v1/recommendations", headers={"X-Request-Id": "bad id\twith spaces"})
    assert response.headers["X-Request-Id"] != "bad id\twith spaces"
    assert len(response.headers["X-Request-Id"]) == 32


def test_problem_types_are_described(client):
    body = client.get("/problems/validation_failed").get_json()
    assert body["status"] == 422 and "duplicate_item" in body["field_error_codes"]
    problem(client.get("/problems/no_such_code"), 404, "not_found")


def test_database_is_not_touched_by_a_refused_request(app, client):
    client.post("/v1/recommendations", json={**VALID, "team_size": "many"})
    with app.extensions["hiremix"].engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM recommendations")).scalar() == 0


@pytest.mark.parametrize(
    "data",
    [
        '{"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas", '
        '"company_name": "\\ud800"}',
        '{"\\ud800": 1}',
        '{"\\udfff": 1, "\\udfff": 2}',
    ],
)
def test_lone_surrogates_are_400_not_500(client, data, stored_count):
    problem(client.post("/v1/recommendations", data=data, content_type="application/json"), 400, "malformed_json")
    assert stored_count() == 0


def test_paired_surrogate_escapes_are_ordinary_text(client):
    data = '{"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas", ' \
           '"company_name": "Rocket \\ud83d\\ude80"}'
    response = client.post("/v1/recommendations", data=data, content_type="application/json")
    assert response.status_code == 201
    assert response.get_json()["profile"]["company_name"] == "Rocket \U0001F680"


def test_get_on_the_preview_path_is_405_not_a_missing_id(client):
    response = client.get("/v1/recommendations/preview")
    problem(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/v1/recommendations/rec_%00", "/v1/recommendations/REC_01", "/v1/recommendations/x"])
def test_malformed_ids_are_404(client, path):
    problem(client.get(path), 404, "not_found")
    problem(client.delete(path), 404, "not_found")


def test_a_trailing_slash_on_the_collection_is_accepted(client):
    assert client.post("/v1/recommendations/", json=VALID).status_code == 201
    assert len(client.get("/v1/recommendations/").get_json()["data"]) == 1


def test_unmigrated_database_is_503_on_every_backend(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'unmigrated.db'}"
    else:
        from service.db import make_engine

        engine = make_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("CREATE SCHEMA IF NOT EXISTS hiremix_empty"))
        engine.dispose()
        url = database_url + "?options=-csearch_path%3Dhiremix_empty"
    app = create_app({"DATABASE_URL": url})
    well_formed_key = "hk_test_" + "A" * 40  # looked up, so the missing table shows
    response = app.test_client().post("/v1/recommendations", json=VALID,
                                      headers={"Authorization": f"Bearer {well_formed_key}"})
    body = problem(response, 503, "database_unavailable")
    assert "migrations" in body["detail"]
    assert response.headers["Retry-After"] == "5"
    app.extensions["hiremix"].engine.dispose()
