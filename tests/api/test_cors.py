"""CORS: off unless HIREMIX_CORS_ORIGINS lists the origin."""

import pytest

from service import create_app
from service.config import ConfigurationError
from tests.conftest import keyed_client

ORIGIN = "https://ats.example.com"


def test_no_cors_headers_by_default(client):
    response = client.get("/v1/recommendations", headers={"Origin": ORIGIN})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_client(database_url, app, api_key):
    allowed = create_app({"DATABASE_URL": database_url, "HIREMIX_CORS_ORIGINS": f"{ORIGIN}, https://hr.example.org/"})
    client = keyed_client(allowed, api_key)
    yield client
    allowed.extensions["hiremix"].engine.dispose()


def test_a_listed_origin_may_call_and_read_the_useful_headers(cors_client):
    response = cors_client.get("/v1/recommendations", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"X-Request-Id", "Location", "Link", "RateLimit-Remaining", "Idempotent-Replayed"} <= exposed


def test_a_preflight_needs_no_key_and_allows_the_api_headers(cors_client):
    response = cors_client.options(
        "/v1/recommendations",
        headers={"Origin": "https://hr.example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"},
        environ_overrides={"HTTP_AUTHORIZATION": ""},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://hr.example.org"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed


def test_an_unlisted_origin_gets_no_cors_headers(cors_client):
    response = cors_client.get("/v1/recommendations", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_origin_that_is_not_a_url_is_refused_at_start():
    with pytest.raises(ConfigurationError, match="HIREMIX_CORS_ORIGINS"):
        create_app({"DATABASE_URL": "sqlite://", "HIREMIX_CORS_ORIGINS": "ats.example.com"})
