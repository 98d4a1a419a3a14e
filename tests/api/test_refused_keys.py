"""Refused keys are rate-limited per client address; production takes only live keys."""

import pytest

from service import create_app, keys
from tests.api.conftest import VALID, problem


@pytest.fixture
def strict_app(database_url):
    return create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_AUTH_FAILURE_LIMIT": "3/minute"})


def _get(app, key, address):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get("/v1/recommendations", headers=headers, environ_base={"REMOTE_ADDR": address})


def test_an_address_that_keeps_sending_refused_keys_gets_429(strict_app, api_key):
    wrong = "hk_test_" + "x" * 40
    assert [_get(strict_app, wrong, "192.0.2.1").status_code for _ in range(3)] == [401, 401, 401]
    body = problem(_get(strict_app, wrong, "192.0.2.1"), 429, "rate_limited")
    assert "refused" in body["detail"]
    blocked = _get(strict_app, api_key, "192.0.2.1")  # not even a good key is looked up from there now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    assert _get(strict_app, wrong, "192.0.2.2").status_code == 401  # another address is not affected
    assert _get(strict_app, api_key, "192.0.2.2").status_code == 200


def test_missing_keys_and_missing_scopes_count_as_refusals(strict_app, new_key):
    reader = new_key("reader", scopes=("weight_profiles:read",))
    statuses = [_get(strict_app, None, "192.0.2.3").status_code, _get(strict_app, reader, "192.0.2.3").status_code,
                _get(strict_app, None, "192.0.2.3").status_code, _get(strict_app, None, "192.0.2.3").status_code]
    assert statuses == [401, 403, 401, 429]


def test_production_refuses_test_keys(database_url, sessions):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_ENV": "production"})
    test_key = keys.create_key(sessions, name="dev").secret
    live_key = keys.create_key(sessions, name="prod", live=True).secret
    client = app.test_client()
    body = problem(client.post("/v1/recommendations", json=VALID, headers={"Authorization": f"Bearer {test_key}"}),
                   401, "unauthenticated")
    assert "hk_live_" in body["detail"]
    assert client.post("/v1/recommendations", json=VALID,
                       headers={"Authorization": f"Bearer {live_key}"}).status_code == 201


def test_a_key_found_moments_ago_is_not_held_up_by_its_address(strict_app, api_key):
    """Only lookups are budgeted: a key this process has just found goes on working from a busy address."""
    assert _get(strict_app, api_key, "192.0.2.4").status_code == 200
    for _ in range(3):
        _get(strict_app, None, "192.0.2.4")
    assert _get(strict_app, None, "192.0.2.4").status_code == 429
    assert _get(strict_app, api_key, "192.0.2.4").status_code == 200
