"""API keys: Bearer and Basic, 401 and 403, and tenants that never see each other."""

import base64

import pytest

from service import keys
from tests.api.conftest import VALID, problem


def basic(user: str, password: str = "") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/recommendations"),
        ("POST", "/v1/recommendations/preview"),
        ("POST", "/v1/recommendations/batch"),
        ("GET", "/v1/recommendations"),
        ("GET", "/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za"),
        ("DELETE", "/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za"),
    ],
)
def test_every_v1_operation_needs_a_key(anonymous, method, path):
    response = anonymous.open(path, method=method, json=VALID if method == "POST" else None)
    body = problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="hiremix"'
    assert "curl -u KEY:" in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        bearer("hk_test_" + "A" * 40),  # well-formed, never issued
        bearer("hk_test_short"),
        bearer("not-a-key"),
        {"Authorization": "Token abc"},
        {"Authorization": "Basic %%%"},
        {"Authorization": "Basic \u00e9\u00ff"},  # not ASCII: not base64 either
        {"Authorization": "Bearer"},
    ],
)
def test_an_unknown_or_malformed_key_is_401(anonymous, api_key, headers):
    response = anonymous.get("/v1/recommendations", headers=headers)
    problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="hiremix", error="invalid_token"')


def test_bearer_and_basic_with_the_key_as_user_name_both_work(anonymous, api_key):
    assert anonymous.get("/v1/recommendations", headers=bearer(api_key)).status_code == 200
    assert anonymous.get("/v1/recommendations", headers=basic(api_key)).status_code == 200
    assert anonymous.get("/v1/recommendations", headers={"Authorization": f"bearer {api_key}"}).status_code == 200


def test_a_key_sent_as_the_basic_password_gets_a_hint(anonymous, api_key):
    body = problem(anonymous.get("/v1/recommendations", headers=basic("", api_key)), 401, "unauthenticated")
    assert "user name" in body["detail"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_revoked_key_is_the_same_401_as_an_unknown_one_once_the_key_cache_expires(app, anonymous, sessions):
    clock = app.extensions["hiremix"].key_cache.clock = Clock()
    new = keys.create_key(sessions, name="to revoke")
    assert anonymous.get("/v1/recommendations", headers=bearer(new.secret)).status_code == 200
    keys.revoke(new.info.id, sessions)
    clock.now += 4.9  # HIREMIX_KEY_CACHE_SECONDS (5 by default): this process still trusts what it looked up
    assert anonymous.get("/v1/recommendations", headers=bearer(new.secret)).status_code == 200
    clock.now += 0.2
    revoked = problem(anonymous.get("/v1/recommendations", headers=bearer(new.secret)), 401, "unauthenticated")
    unknown = problem(anonymous.get("/v1/recommendations", headers=bearer("hk_test_" + "B" * 40)), 401,
                      "unauthenticated")
    assert revoked["detail"] == unknown["detail"]


def test_a_key_is_looked_up_once_per_cache_period_and_wrong_keys_are_never_kept(app, anonymous, api_key,
                                                                                 monkeypatch):
    clock = app.extensions["hiremix"].key_cache.clock = Clock()
    lookups = []
    real = keys.authenticate
    monkeypatch.setattr(keys, "authenticate", lambda *args: lookups.append(args[0]) or real(*args))
    for _ in range(5):
        assert anonymous.get("/v1/recommendations", headers=bearer(api_key)).status_code == 200
    assert lookups == [api_key]
    clock.now += 5.1
    assert anonymous.get("/v1/recommendations", headers=bearer(api_key)).status_code == 200
    assert lookups == [api_key, api_key]
    wrong = "hk_test_" + "C" * 40
    for _ in range(3):
        assert anonymous.get("/v1/recommendations", headers=bearer(wrong)).status_code == 401
    assert lookups.count(wrong) == 3 and len(app.extensions["hiremix"].key_cache._found) == 1


def test_the_key_cache_can_be_switched_off(database_url, api_key):
    from service import create_app

    uncached = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_KEY_CACHE_SECONDS": "0"})
    assert uncached.extensions["hiremix"].key_cache.seconds == 0
    uncached.extensions["hiremix"].engine.dispose()


def test_only_the_hash_of_a_key_is_stored(sessions, api_key):
    from sqlalchemy import select

    from service.orm import ApiKey

    with sessions() as session:
        stored = session.execute(select(ApiKey.secret_hash, ApiKey.hint)).all()
    assert all(api_key not in row.secret_hash and api_key[8:-4] not in row.hint for row in stored)
    assert any(row.secret_hash == keys.digest(api_key) for row in stored)


def test_a_read_only_key_reads_and_previews_but_may_not_write(anonymous, new_key, create):
    reader = bearer(new_key("reader", scopes=("recommendations:read",)))
    assert anonymous.get("/v1/recommendations", headers=reader).status_code == 200
    assert anonymous.post("/v1/recommendations/preview", json=VALID, headers=reader).status_code == 200
    stored = create().get_json()["id"]
    assert anonymous.get(f"/v1/recommendations/{stored}", headers=reader).status_code == 404  # another tenant
    for method, path in (("POST", "/v1/recommendations"), ("POST", "/v1/recommendations/batch"),
                         ("DELETE", f"/v1/recommendations/{stored}")):
        response = anonymous.open(path, method=method, json={"items": [VALID]} if "batch" in path else VALID,
                                  headers=reader)
        body = problem(response, 403, "insufficient_scope")
        assert "recommendations:write" in body["detail"]
        assert 'error="insufficient_scope", scope="recommendations:write"' in response.headers["WWW-Authenticate"]


def test_a_write_only_key_may_not_read(anonymous, new_key):
    writer = bearer(new_key("writer", scopes=("recommendations:write",)))
    assert anonymous.post("/v1/recommendations", json=VALID, headers=writer).status_code == 201
    problem(anonymous.get("/v1/recommendations", headers=writer), 403, "insufficient_scope")


def test_the_admin_scope_allows_everything(anonymous, new_key):
    admin = bearer(new_key("admin", scopes=("admin",)))
    created = anonymous.post("/v1/recommendations", json=VALID, headers=admin)
    assert created.status_code == 201
    assert anonymous.get(created.headers["Location"], headers=admin).status_code == 200


def test_every_v1_route_declares_the_scope_it_needs(app):
    """A new /v1 view without @requires would be open to anyone: this test is the fence (or mark it @public)."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1"):
            contract = app.view_functions[rule.endpoint]._apidoc
            assert contract.get("scope") in keys.SCOPES or contract.get("public") is True, rule.rule


def test_the_contract_and_problem_types_need_no_key(anonymous):
    for path in ("/openapi.json", "/openapi.yaml", "/problems/unauthenticated"):
        assert anonymous.get(path).status_code == 200


def test_unknown_paths_are_404_even_without_a_key(anonymous):
    problem(anonymous.get("/v1/nothing"), 404, "not_found")


class TestTenants:
    """Another tenant's objects answer exactly as if they did not exist."""

    @pytest.fixture
    def other(self, anonymous, new_key):
        headers = bearer(new_key("tenant b"))

        def call(method, path, **kwargs):
            return anonymous.open(path, method=method, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)

        return call

    @pytest.fixture
    def mine(self, create):
        return create(external_id="REQ-A").get_json()

    def test_get_is_404_and_identical_to_a_missing_id(self, other, mine):
        theirs = other("GET", f"/v1/recommendations/{mine['id']}")
        missing = other("GET", "/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za")
        assert problem(theirs, 404, "not_found")["detail"].replace(mine["id"], "X") == \
            problem(missing, 404, "not_found")["detail"].replace("rec_01jdk5m7c2v8q4x6r9t3w0y1za", "X")

    def test_delete_is_404_and_erases_nothing(self, client, other, mine):
        problem(other("DELETE", f"/v1/recommendations/{mine['id']}"), 404, "not_found")
        assert client.get(f"/v1/recommendations/{mine['id']}").status_code == 200

    def test_the_list_and_its_filters_show_only_your_own(self, client, other, mine):
        assert other("GET", "/v1/recommendations").get_json()["data"] == []
        assert other("GET", "/v1/recommendations?external_id=REQ-A").get_json()["data"] == []
        theirs = other("POST", "/v1/recommendations", json={**VALID, "external_id": "REQ-B"}).get_json()
        assert [r["id"] for r in client.get("/v1/recommendations").get_json()["data"]] == [mine["id"]]
        assert [r["id"] for r in other("GET", "/v1/recommendations").get_json()["data"]] == [theirs["id"]]

    def test_the_csv_export_shows_only_your_own(self, other, mine):
        exported = other("GET", "/v1/recommendations", headers={"Accept": "text/csv"})
        assert exported.status_code == 200 and mine["id"] not in exported.get_data(as_text=True)

    def test_a_batch_stores_for_the_caller_only(self, client, other):
        stored = other("POST", "/v1/recommendations/batch", json={"items": [VALID]}).get_json()
        new_id = stored["items"][0]["recommendation"]["id"]
        assert client.get(f"/v1/recommendations/{new_id}").status_code == 404
        assert other("GET", f"/v1/recommendations/{new_id}").status_code == 200

    def test_idempotency_keys_are_per_tenant(self, client, other):
        key = {"Idempotency-Key": "shared-key-1"}
        mine = client.post("/v1/recommendations", json=VALID, headers=key)
        theirs = other("POST", "/v1/recommendations", json={**VALID, "team_size": 7}, headers=key)
        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert "Idempotent-Replayed" not in theirs.headers
        assert mine.get_json()["id"] != theirs.get_json()["id"]
        assert client.get(theirs.headers["Location"]).status_code == 404
