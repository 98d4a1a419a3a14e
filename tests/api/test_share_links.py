"""Share links: made, listed, fetched and revoked with a key; /s/<token> opens the page without one."""

import datetime as dt
import hashlib
import json
import logging
import re

import pytest
from sqlalchemy import event, select, update

from service import create_app
from service.orm import RecommendationRecord
from service.sharing import links
from service.sharing.tables import ShareLink
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client

URL = re.compile(r"^http://localhost/s/([A-Za-z0-9_-]{43})$")
EXTERNAL_ID = "REQ-CONFIDENTIAL-4242"


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def recommendation(client):
    """A stored recommendation of tenant a, with a requisition id and a company name."""
    created = client.post("/v1/recommendations", json={**VALID, "planned_hires": 4, "company_name": "Acme",
                                                       "external_id": EXTERNAL_ID})
    assert created.status_code == 201
    return created.get_json()


def _share(client, recommendation_id, **body):
    return client.post(f"/v1/recommendations/{recommendation_id}/share-links", json=body)


def _path(url: str) -> str:
    return "/s/" + URL.match(url).group(1)


def _listed(client, recommendation_id, link_id):
    """The link as the list shows it."""
    listed = client.get(f"/v1/recommendations/{recommendation_id}/share-links?limit=100").get_json()["data"]
    return next(link for link in listed if link["id"] == link_id)


def _rows(sessions):
    with sessions() as session:
        return session.execute(select(ShareLink)).scalars().all()


class TestCreate:
    def test_a_new_link_has_its_url_once_and_works_30_days_by_default(self, client, recommendation):
        answer = _share(client, recommendation["id"])
        assert answer.status_code == 201 and answer.mimetype == "application/json"
        link = answer.get_json()
        assert list(link) == ["id", "recommendation_id", "url", "created_at", "expires_at", "revoked_at"]
        assert re.fullmatch(r"shl_[0-9a-z]{26}", link["id"])
        assert link["recommendation_id"] == recommendation["id"]
        assert URL.match(link["url"]), link["url"]
        assert link["revoked_at"] is None
        assert _time(link["expires_at"]) - _time(link["created_at"]) == dt.timedelta(days=30)
        assert answer.headers["Location"] == f"/v1/share-links/{link['id']}"
        assert _listed(client, recommendation["id"], link["id"]) == {k: v for k, v in link.items() if k != "url"}
        assert client.get(answer.headers["Location"]).status_code == 405  # a link is revoked there, never shown

    @pytest.mark.parametrize("send", [
        lambda client, path: client.post(path),  # no body, no Content-Type
        lambda client, path: client.post(path, data=b"", content_type="application/json"),
        lambda client, path: client.post(path, json={}),
        lambda client, path: client.post(path, json={"expires_in_days": None}),
    ], ids=["no body", "empty JSON body", "{}", "null"])
    def test_the_body_may_be_left_out(self, client, recommendation, send):
        answer = send(client, f"/v1/recommendations/{recommendation['id']}/share-links")
        assert answer.status_code == 201, answer.get_data(as_text=True)
        link = answer.get_json()
        assert _time(link["expires_at"]) - _time(link["created_at"]) == dt.timedelta(days=30)

    @pytest.mark.parametrize("days", [1, 7, 90])
    def test_from_one_to_ninety_days(self, client, recommendation, days):
        link = _share(client, recommendation["id"], expires_in_days=days).get_json()
        assert _time(link["expires_at"]) - _time(link["created_at"]) == dt.timedelta(days=days)

    @pytest.mark.parametrize("days, code", [(0, "out_of_range"), (91, "out_of_range"), (-1, "out_of_range"),
                                            (365, "out_of_range"), ("30", "invalid_type"), (7.5, "invalid_type"),
                                            (True, "invalid_type")])
    def test_other_expiries_are_refused_naming_the_field_and_nothing_is_stored(self, client, recommendation,
                                                                                sessions, days, code):
        body = problem(_share(client, recommendation["id"], expires_in_days=days), 422, "validation_failed")
        assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/expires_in_days", code)]
        assert _rows(sessions) == []

    def test_unknown_fields_and_non_objects_are_refused(self, client, recommendation, sessions):
        path = f"/v1/recommendations/{recommendation['id']}/share-links"
        body = problem(client.post(path, json={"expires_in_days": 3, "token": "mine"}), 422, "validation_failed")
        assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/token", "unknown_field")]
        problem(client.post(path, json=[]), 422, "validation_failed")
        problem(client.post(path, data="{", content_type="application/json"), 400, "malformed_json")
        problem(client.post(path, data="days=3", content_type="application/x-www-form-urlencoded"), 415,
                "unsupported_media_type")
        assert _rows(sessions) == []

    def test_an_unknown_recommendation_is_404_and_stores_nothing(self, client, sessions):
        problem(_share(client, "rec_" + "0" * 26), 404, "not_found")
        problem(client.post("/v1/recommendations/not-an-id/share-links", json={}), 404, "not_found")
        assert _rows(sessions) == []

    def test_only_the_hash_of_the_token_is_stored(self, client, recommendation, sessions, app):
        link = _share(client, recommendation["id"]).get_json()
        token = URL.match(link["url"]).group(1)
        [row] = _rows(sessions)
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
        assert row.created_by_key_id is not None
        with app.extensions["hiremix"].engine.connect() as connection:
            stored = [str(value) for value in connection.execute(select(ShareLink.__table__)).one()]
        assert not any(token in value for value in stored)
        # Each link has its own token.
        again = _share(client, recommendation["id"]).get_json()
        assert again["url"] != link["url"] and again["id"] != link["id"]

    def test_the_url_follows_the_address_the_proxy_was_asked_at(self, database_url, new_key):
        proxied = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_PROXY_HOPS": "1"})
        client = keyed_client(proxied, new_key())
        recommendation_id = client.post("/v1/recommendations", json=VALID).get_json()["id"]
        link = client.post(f"/v1/recommendations/{recommendation_id}/share-links", json={},
                           headers={"X-Forwarded-Host": "hiremix.example.com", "X-Forwarded-Proto": "https"})
        assert re.fullmatch(r"https://hiremix\.example\.com/s/[A-Za-z0-9_-]{43}", link.get_json()["url"])
        proxied.extensions["hiremix"].engine.dispose()


class TestSharedPage:
    def test_the_link_opens_the_page_without_a_key(self, client, anonymous, recommendation):
        link = _share(client, recommendation["id"]).get_json()
        page = anonymous.get(_path(link["url"]))
        assert page.status_code == 200 and page.mimetype == "text/html"
        html = page.get_data(as_text=True)
        assert '<h1 id="verdict">Hire product engineers</h1>' in html
        share = round(recommendation["scores"]["product_engineers"] * 100)
        assert f"{share}% product" in html and "Of your next 4 hires" in html
        assert html.count('<td class="factor">') == len(recommendation["factors"])
        assert "Acme" in html  # the company the recommendation is about is part of it

    def test_the_page_leaves_out_the_tenants_own_references(self, client, anonymous, recommendation, sessions,
                                                           monkeypatch):
        # The tenant's metadata and a weight profile's name, as later releases put them in stored documents.
        document = {**recommendation, "metadata": {"cost_center": "CC-META-TOP"},
                    "profile": {**recommendation["profile"], "metadata": {"hiring_manager": "Dana META-VALUE"},
                                "weight_profile_name": "Plan WPNAME-1"},
                    "model": {**recommendation["model"], "name": "Plan WPNAME-2",
                              "weight_profile_name": "Plan WPNAME-3"}}
        with sessions.begin() as session:
            session.execute(update(RecommendationRecord).where(RecommendationRecord.id == recommendation["id"])
                            .values(document=json.dumps(document)))
        rendered = []
        from service.sharing import http as share_views
        real_render = share_views.result_page.render
        monkeypatch.setattr(share_views.result_page, "render", lambda doc: rendered.append(doc) or real_render(doc))
        link = _share(client, recommendation["id"]).get_json()
        html = anonymous.get(_path(link["url"])).get_data(as_text=True)
        [shown] = rendered
        assert "external_id" not in shown["profile"] and "metadata" not in shown["profile"]
        assert "metadata" not in shown
        assert "weight_profile_name" not in shown["profile"]
        assert set(shown["model"]) == {"weight_profile_id", "version", "hash"}
        text = json.dumps(shown) + html
        for secret in (EXTERNAL_ID, "CC-META-TOP", "META-VALUE", "WPNAME"):
            assert secret not in text, secret
        # The keyed page of the same recommendation still shows the requisition id.
        assert EXTERNAL_ID in client.get(f"/v1/recommendations/{recommendation['id']}/page").get_data(as_text=True)

    def test_metadata_given_with_the_profile_never_reaches_the_page(self, client, anonymous, monkeypatch):
        made = client.post("/v1/recommendations", json={**VALID, "external_id": EXTERNAL_ID,
                                                         "metadata": {"hiring_manager": "Dana Q. Private"}})
        assert made.status_code == 201, made.get_json()
        rendered = []
        from service.sharing import http as share_views
        real_render = share_views.result_page.render
        monkeypatch.setattr(share_views.result_page, "render", lambda doc: rendered.append(doc) or real_render(doc))
        link = _share(client, made.get_json()["id"]).get_json()
        html = anonymous.get(_path(link["url"])).get_data(as_text=True)
        assert "Dana Q. Private" not in json.dumps(rendered) + html and EXTERNAL_ID not in html
        assert '<h1 id="verdict">' in html

    def test_a_weight_profile_name_never_reaches_the_page(self, client, anonymous):
        profile = client.post("/v1/weight-profiles", json={"name": "Secret Plan Zeta"}).get_json()
        made = client.post("/v1/recommendations", json={**VALID, "weight_profile_id": profile["id"]}).get_json()
        link = _share(client, made["id"]).get_json()
        html = anonymous.get(_path(link["url"])).get_data(as_text=True)
        assert '<h1 id="verdict">' in html and "Secret Plan Zeta" not in html

    def test_the_shared_document_keeps_the_recommendation_and_drops_the_rest(self):
        document = {"id": "rec_x", "recommendation": "both", "metadata": {"a": "1"},
                    "profile": {"stage": "seed", "company_name": "Acme", "external_id": "R-1", "metadata": {"b": "2"},
                                "weight_profile_id": "wp_default", "weight_profile_name": "n"},
                    "model": {"weight_profile_id": "wp_default", "version": 2, "hash": "sha256:x", "name": "n"}}
        assert links.shared_document(document) == {
            "id": "rec_x", "recommendation": "both",
            "profile": {"stage": "seed", "company_name": "Acme", "weight_profile_id": "wp_default"},
            "model": {"weight_profile_id": "wp_default", "version": 2, "hash": "sha256:x"}}
        assert document["profile"]["external_id"] == "R-1"  # the stored document is left as it is

    def test_the_page_is_not_cached_indexed_or_referred_and_has_the_result_pages_policy(self, client, anonymous,
                                                                                      recommendation):
        link = _share(client, recommendation["id"]).get_json()
        page = anonymous.get(_path(link["url"]))
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert page.headers["X-Frame-Options"] == "DENY"
        keyed = client.get(f"/v1/recommendations/{recommendation['id']}/page")
        nonce = re.compile(r"'nonce-[^']+'")
        assert nonce.sub("N", page.headers["Content-Security-Policy"]) == \
            nonce.sub("N", keyed.headers["Content-Security-Policy"])
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")

    def test_the_page_links_to_nothing_and_loads_nothing_that_needs_a_key(self, client, anonymous, recommendation):
        link = _share(client, recommendation["id"]).get_json()
        html = anonymous.get(_path(link["url"])).get_data(as_text=True)
        assert not re.search(r"\b(?:href|src|action)\s*=", html, re.IGNORECASE)
        assert "/v1/" not in html and "<form" not in html

    def test_malformed_unknown_expired_and_revoked_tokens_get_the_same_404(self, client, anonymous, recommendation,
                                                                         sessions):
        expired, revoked = (_share(client, recommendation["id"]).get_json() for _ in range(2))
        with sessions.begin() as session:
            session.execute(update(ShareLink).where(ShareLink.id == expired["id"])
                            .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
        assert client.delete(f"/v1/share-links/{revoked['id']}").status_code == 204
        answers = [anonymous.get(path) for path in (
            "/s/short", "/s/" + "!" * 43, "/s/" + "A" * 44, "/s/a/b", "/s/" + "x" * 5000,
            "/s/" + "A" * 43,  # well-formed, unknown
            _path(expired["url"]), _path(revoked["url"]))]
        first = answers[0]
        assert first.status_code == 404 and first.mimetype == "text/html"
        assert "This link does not open anything" in first.get_data(as_text=True)
        for answer in answers:
            assert answer.status_code == 404
            assert answer.get_data() == first.get_data()
            for header in ("Content-Type", "Cache-Control", "Referrer-Policy", "X-Robots-Tag", "X-Frame-Options"):
                assert answer.headers[header] == first.headers[header], header
            assert "x" * 100 not in answer.get_data(as_text=True)  # nothing of the path is echoed

    def test_a_malformed_token_costs_no_database_lookup(self, app, anonymous, client, recommendation):
        link = _share(client, recommendation["id"]).get_json()
        statements = []
        engine = app.extensions["hiremix"].engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            for path in ("/s/short", "/s/" + "!" * 43, "/s/" + "a" * 42 + "=", "/s/" + "A" * 500):
                assert anonymous.get(path).status_code == 404
            assert statements == []
            assert anonymous.get(_path(link["url"])).status_code == 200
            assert statements  # a well-formed token is looked up
        finally:
            event.remove(engine, "before_cursor_execute", count)

    def test_a_link_stops_at_its_expiry(self, client, anonymous, recommendation, sessions):
        link = _share(client, recommendation["id"], expires_in_days=1).get_json()
        token = URL.match(link["url"]).group(1)
        expires_at = _time(link["expires_at"])
        assert links.open_shared(token, sessions, now=expires_at - dt.timedelta(seconds=1)) is not None
        assert links.open_shared(token, sessions, now=expires_at) is None
        assert anonymous.get(_path(link["url"])).status_code == 200
        with sessions.begin() as session:
            session.execute(update(ShareLink).where(ShareLink.id == link["id"])
                            .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
        assert anonymous.get(_path(link["url"])).status_code == 404

    def test_deleting_the_recommendation_deletes_its_links(self, client, anonymous, recommendation, sessions):
        link = _share(client, recommendation["id"]).get_json()
        other = client.post("/v1/recommendations", json=VALID).get_json()
        kept = _share(client, other["id"]).get_json()
        assert client.delete(f"/v1/recommendations/{recommendation['id']}").status_code == 204
        assert anonymous.get(_path(link["url"])).status_code == 404
        assert [row.id for row in _rows(sessions)] == [kept["id"]]
        problem(client.get(f"/v1/recommendations/{recommendation['id']}/share-links"), 404, "not_found")
        problem(client.delete(f"/v1/share-links/{link['id']}"), 404, "not_found")
        assert anonymous.get(_path(kept["url"])).status_code == 200

    def test_the_token_never_reaches_the_log(self, client, anonymous, recommendation, caplog):
        caplog.set_level(logging.INFO, logger="hiremix")
        link = _share(client, recommendation["id"]).get_json()
        token = URL.match(link["url"]).group(1)
        assert anonymous.get(_path(link["url"])).status_code == 200
        assert anonymous.get("/s/" + "B" * 43).status_code == 404
        assert token not in caplog.text and "B" * 43 not in caplog.text
        lines = [r for r in caplog.records if r.getMessage().startswith("GET /s/")]
        assert [(r.getMessage().split()[1], r.path, r.status) for r in lines] == [
            ("/s/<path:token>", "/s/<path:token>", 200), ("/s/<path:token>", "/s/<path:token>", 404)]

    def test_the_page_is_not_part_of_the_api_document(self, client):
        document = client.get("/openapi.json").get_json()
        assert not [path for path in document["paths"] if path.startswith("/s/")]


class TestRevoke:
    def test_revoking_stops_the_link_and_is_idempotent(self, client, anonymous, recommendation):
        link = _share(client, recommendation["id"]).get_json()
        first = client.delete(f"/v1/share-links/{link['id']}")
        assert first.status_code == 204 and first.get_data() == b""
        assert anonymous.get(_path(link["url"])).status_code == 404
        revoked_at = _listed(client, recommendation["id"], link["id"])["revoked_at"]
        assert revoked_at is not None
        assert client.delete(f"/v1/share-links/{link['id']}").status_code == 204
        assert _listed(client, recommendation["id"], link["id"])["revoked_at"] == revoked_at

    def test_unknown_and_malformed_ids_are_404(self, client):
        problem(client.delete("/v1/share-links/shl_" + "0" * 26), 404, "not_found")
        problem(client.delete("/v1/share-links/rec_" + "0" * 26), 404, "not_found")


class TestList:
    def test_newest_first_without_tokens_or_urls_and_paginated(self, client, recommendation):
        made = [_share(client, recommendation["id"], expires_in_days=days).get_json() for days in (1, 2, 3)]
        other = client.post("/v1/recommendations", json=VALID).get_json()
        _share(client, other["id"])  # another recommendation's link is not listed
        path = f"/v1/recommendations/{recommendation['id']}/share-links"
        page = client.get(f"{path}?limit=2")
        body = page.get_json()
        assert [link["id"] for link in body["data"]] == [made[2]["id"], made[1]["id"]]
        assert body["has_more"] is True and body["next_cursor"]
        assert all(set(link) == {"id", "recommendation_id", "created_at", "expires_at", "revoked_at"}
                   for link in body["data"])
        assert body["data"][0] == {k: v for k, v in made[2].items() if k != "url"}
        assert page.headers["Link"] == \
            f'<http://localhost{path}?limit=2&cursor={body["next_cursor"]}>; rel="next"'
        rest = client.get(f"{path}?limit=2&cursor={body['next_cursor']}")
        assert [link["id"] for link in rest.get_json()["data"]] == [made[0]["id"]]
        assert rest.get_json()["has_more"] is False and rest.get_json()["next_cursor"] is None
        assert "Link" not in rest.headers
        assert client.get(path).get_json()["data"][2]["id"] == made[0]["id"]

    def test_revoked_links_are_listed_as_revoked(self, client, recommendation):
        link = _share(client, recommendation["id"]).get_json()
        client.delete(f"/v1/share-links/{link['id']}")
        [listed] = client.get(f"/v1/recommendations/{recommendation['id']}/share-links").get_json()["data"]
        assert listed["id"] == link["id"] and listed["revoked_at"] is not None

    def test_bad_paging_is_422_naming_the_parameter_and_an_unknown_recommendation_404(self, client, recommendation):
        path = f"/v1/recommendations/{recommendation['id']}/share-links"
        for query, pointer in (("limit=0", "/limit"), ("limit=101", "/limit"), ("cursor=abc", "/cursor"),
                               (f"cursor=1.rec_{'0' * 26}", "/cursor"), ("token=x", "/token")):
            body = problem(client.get(f"{path}?{query}"), 422, "validation_failed")
            assert [e["pointer"] for e in body["errors"]] == [pointer], query
        problem(client.get(f"/v1/recommendations/rec_{'0' * 26}/share-links"), 404, "not_found")


class TestAccess:
    def test_scopes(self, anonymous, new_key, recommendation, api_key):
        reader = {"Authorization": f"Bearer {new_key('r', tenant='tenant a', scopes=('recommendations:read',))}"}
        writer = {"Authorization": f"Bearer {new_key('w', tenant='tenant a', scopes=('recommendations:write',))}"}
        path = f"/v1/recommendations/{recommendation['id']}/share-links"
        problem(anonymous.post(path, json={}, headers=reader), 403, "insufficient_scope")
        made = anonymous.post(path, json={}, headers=writer)
        assert made.status_code == 201
        link_id = made.get_json()["id"]
        problem(anonymous.get(path, headers=writer), 403, "insufficient_scope")
        assert anonymous.get(path, headers=reader).status_code == 200
        problem(anonymous.delete(f"/v1/share-links/{link_id}", headers=reader), 403, "insufficient_scope")
        assert anonymous.delete(f"/v1/share-links/{link_id}", headers=writer).status_code == 204
        problem(anonymous.post(path, json={}), 401, "unauthenticated")
        problem(anonymous.delete(f"/v1/share-links/{link_id}"), 401, "unauthenticated")

    def test_another_tenant_sees_nothing_and_changes_nothing(self, client, anonymous, new_key, recommendation,
                                                              sessions):
        link = _share(client, recommendation["id"]).get_json()
        other = {"Authorization": f"Bearer {new_key('tenant b')}"}
        path = f"/v1/recommendations/{recommendation['id']}/share-links"
        problem(anonymous.post(path, json={}, headers=other), 404, "not_found")
        problem(anonymous.get(path, headers=other), 404, "not_found")
        problem(anonymous.delete(f"/v1/share-links/{link['id']}", headers=other), 404, "not_found")
        assert len(_rows(sessions)) == 1
        assert _listed(client, recommendation["id"], link["id"])["revoked_at"] is None
        assert anonymous.get(_path(link["url"])).status_code == 200


def test_the_shared_page_is_rate_limited_per_client_address(database_url, new_key):
    limited = create_app({"DATABASE_URL": database_url, "HIREMIX_RATE_LIMIT": "3/minute"})
    key = new_key()
    client = keyed_client(limited, key)
    recommendation_id = client.post("/v1/recommendations", json=VALID).get_json()["id"]
    link = client.post(f"/v1/recommendations/{recommendation_id}/share-links", json={}).get_json()
    visitor = limited.test_client()
    first = {"REMOTE_ADDR": "198.51.100.7"}
    answers = [visitor.get(_path(link["url"]), environ_base=first) for _ in range(2)]
    answers.append(visitor.get("/s/unknown", environ_base=first))  # a guess counts too
    assert [a.status_code for a in answers] == [200, 200, 404]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = problem(visitor.get(_path(link["url"]), environ_base=first), 429, "rate_limited")
    assert "3 per 1 minute from your address" in refused["detail"]  # a visitor has no key
    assert visitor.get(_path(link["url"]), environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 200
    # The key's own budget is apart: it has used two requests of three.
    assert client.get("/v1/recommendations").status_code == 200
    problem(client.get("/v1/recommendations"), 429, "rate_limited")
    limited.extensions["hiremix"].engine.dispose()


def test_purge_deletes_links_ended_more_than_30_days_ago(client, recommendation, sessions):
    now = dt.datetime.now(dt.timezone.utc)
    made = {name: _share(client, recommendation["id"]).get_json()["id"]
            for name in ("live", "expired_long_ago", "revoked_long_ago", "expired_lately", "revoked_lately")}
    ended = {"expired_long_ago": {"expires_at": now - dt.timedelta(days=31)},
             "revoked_long_ago": {"revoked_at": now - dt.timedelta(days=31)},
             "expired_lately": {"expires_at": now - dt.timedelta(days=29)},
             "revoked_lately": {"revoked_at": now - dt.timedelta(days=29)}}
    with sessions.begin() as session:
        for name, values in ended.items():
            session.execute(update(ShareLink).where(ShareLink.id == made[name]).values(**values))
    assert links.purge(sessions) == 2
    assert sorted(row.id for row in _rows(sessions)) == sorted(
        made[name] for name in ("live", "expired_lately", "revoked_lately"))
    assert links.purge(sessions) == 0
    assert links.purge(sessions, now=now + dt.timedelta(days=32)) == 2  # the two that ended lately
