"""The console at /console, through Flask's test client: sessions, CSRF, scopes, and each page's use case.

The browser tests (tests/e2e/test_console_browser.py) drive the same flow in Chromium, with axe-core.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from service.config import ConfigurationError, Settings
from service.orm import ApiKey, RecommendationRecord
from service.web.auth import key_in
from service.web.tables import ConsoleSession

ASK = {"stage": "series_a", "team_size": "25", "product_complexity": "high", "business_model": "b2b_saas",
       "priorities": ["ship_fast", "reliability"], "customer_access": "direct", "planned_hires": "5",
       "company_name": "Acme Analytics", "external_id": "REQ-7"}


def token_of(html: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1).decode()


def post(browser, path: str, data: dict, *, from_page: str | None = None):
    """A form post as a browser sends it: with the token of the page the form is on."""
    token = token_of(browser.get(from_page or path).data)
    return browser.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def browser(app):
    return app.test_client()


@pytest.fixture
def signed_in(browser, api_key):
    response = post(browser, "/console/sign-in", {"key": f"export HIREMIX_KEY={api_key}\n"})
    assert response.status_code == 302, response.data
    return browser


def stored(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(RecommendationRecord))


@pytest.mark.parametrize("pasted", [
    "{key}", "  {key}\n", "export HIREMIX_KEY={key}", 'export HIREMIX_KEY="{key}"', "HIREMIX_KEY='{key}'",
    "Authorization: Bearer {key}", "curl -u {key}: http://127.0.0.1:8000/v1/recommendations",
])
def test_the_key_is_picked_out_of_whatever_was_pasted_around_it(pasted):
    key = "hk_test_" + "a1B2" * 10
    assert key_in(pasted.format(key=key)) == key


def test_no_key_in_the_text_and_a_key_too_long_are_not_keys():
    assert key_in("export HIREMIX_KEY=") is None
    assert key_in("hk_test_" + "a" * 41) is None
    assert key_in("hk_prod_" + "a" * 40) is None


def test_slash_leads_to_the_console_and_the_console_to_sign_in(browser):
    assert browser.get("/").headers["Location"] == "/console/"
    assert browser.get("/console/").headers["Location"] == "/console/sign-in"
    ask = browser.get("/console/ask")
    assert ask.status_code == 302 and ask.headers["Location"] == "/console/sign-in?next=/console/ask"


def test_signing_in_keeps_a_session_in_the_database_and_only_its_id_in_the_cookie(browser, api_key, sessions):
    response = post(browser, "/console/sign-in", {"key": f"export HIREMIX_KEY={api_key}"})
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("hiremix_console="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # development over plain http; production sets it (below)
    assert api_key not in cookie
    with sessions() as session:
        rows = session.scalars(select(ConsoleSession)).all()
    signed = [row for row in rows if row.key_id]
    assert len(signed) == 1 and api_key not in str(signed[0].data)
    page = browser.get("/console/ask")
    assert page.status_code == 200 and b"Acme" not in page.data and b"Sign out" in page.data
    assert page.headers["Cache-Control"] == "private, no-store"


def test_signing_in_gives_a_new_session_id(browser, api_key, sessions):
    post(browser, "/console/sign-in", {"key": api_key})
    first = browser.get_cookie("hiremix_console", path="/console").value
    post(browser, "/console/sign-in", {"key": api_key}, from_page="/console/ask")  # again, over the signed-in one
    second = browser.get_cookie("hiremix_console", path="/console").value
    assert len(first) == len(second) == 43 and first != second
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 1  # the first is gone
    fixed = browser.application.test_client()
    fixed.set_cookie("hiremix_console", first, path="/console")
    assert fixed.get("/console/ask").status_code == 302


def test_the_session_cookie_is_secure_in_production(database_url, api_key):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_ENV": "production",
                      "HIREMIX_SECRET_KEY": "s" * 40, "HIREMIX_ENCRYPTION_KEYS":
                      "dGVzdHMtb2YtaGlyZW1peC1lbmNyeXB0aW9uLWtleTA="})
    response = app.test_client().get("/console/sign-in")
    assert "Secure" in response.headers["Set-Cookie"]


def test_production_needs_a_secret_key_of_its_own():
    production = {"HIREMIX_ENV": "production", "HIREMIX_ENCRYPTION_KEYS": "dGVzdHMtb2YtaGlyZW1peC1lbmNyeXB0aW9uLWtleTA="}
    with pytest.raises(ConfigurationError, match="HIREMIX_SECRET_KEY is required in production"):
        Settings.load({**production, "HIREMIX_SECRET_KEY": ""})
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        Settings.load({**production, "HIREMIX_SECRET_KEY": "short"})
    assert Settings.load({**production, "HIREMIX_SECRET_KEY": "k" * 32}).secret_key == "k" * 32


def test_a_wrong_key_is_refused_on_the_form_and_counts_as_a_refusal(browser, app):
    response = post(browser, "/console/sign-in", {"key": "hk_test_" + "x" * 40})
    assert response.status_code == 401 and b"unknown or has been revoked" in response.data
    nothing = post(browser, "/console/sign-in", {"key": "export HIREMIX_KEY="})
    assert nothing.status_code == 422 and b"No API key found" in nothing.data
    assert browser.get("/console/ask").status_code == 302  # still not signed in


def test_wrong_keys_run_out_the_address_budget(database_url):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_AUTH_FAILURE_LIMIT": "3/minute"})
    browser = app.test_client()
    statuses = [post(browser, "/console/sign-in", {"key": "hk_test_" + "y" * 40}).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_a_post_without_its_csrf_token_is_refused(signed_in, sessions):
    response = signed_in.post("/console/ask", data={**ASK, "action": "save"})
    assert response.status_code == 400 and b"security token" in response.data
    forged = signed_in.post("/console/ask", data={**ASK, "action": "save", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert stored(sessions) == 0


def test_a_token_from_another_session_is_refused(signed_in, app, api_key, sessions):
    other = app.test_client()
    token = token_of(other.get("/console/sign-in").data)
    response = signed_in.post("/console/ask", data={**ASK, "action": "save", "csrf_token": token})
    assert response.status_code == 400 and stored(sessions) == 0


def test_signing_out_ends_the_session_in_the_database(signed_in, sessions):
    token = token_of(signed_in.get("/console/ask").data)
    response = signed_in.post("/console/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert signed_in.get("/console/ask").status_code == 302
    with sessions() as session:
        assert session.scalars(select(ConsoleSession).where(ConsoleSession.key_id.is_not(None))).all() == []


def test_an_expired_session_asks_to_sign_in_again(signed_in, sessions):
    with sessions.begin() as session:
        session.execute(update(ConsoleSession).values(expires_at=dt.datetime.now(dt.timezone.utc)
                                                      - dt.timedelta(seconds=1)))
    response = signed_in.get("/console/answers")
    assert response.status_code == 302 and "next=/console/answers" in response.headers["Location"]
    assert b"Your session has ended" in signed_in.get(response.headers["Location"]).data


def test_revoking_the_key_ends_its_sessions(signed_in, sessions):
    with sessions.begin() as session:
        session.execute(update(ApiKey).values(revoked_at=dt.datetime.now(dt.timezone.utc)))
    assert signed_in.get("/console/ask").status_code == 302


def test_only_console_paths_are_sent_back_to_after_sign_in(browser, api_key):
    for target, expected in [("/console/answers", "/console/answers"), ("https://evil.example/", "/console/"),
                             ("/console/../v1/recommendations", "/console/"),
                             ("//evil.example/console", "/console/"), ("/v1/recommendations", "/console/"),
                             ("/console\\..\\x", "/console/")]:
        client = browser.application.test_client()
        token = token_of(client.get("/console/sign-in").data)
        response = client.post("/console/sign-in", data={"key": api_key, "next": target, "csrf_token": token})
        assert response.headers["Location"] == expected, target


def test_ask_shows_choices_in_words_with_help(signed_in):
    page = signed_in.get("/console/ask").data.decode()
    for words in ("Series A", "B2B SaaS", "Very high", "Consumer subscription", "Ship fast", "Engineers today"):
        assert words in page
    assert 'value="series_a"' in page and "series_a<" not in page
    assert page.count('class="help"') >= 8


def test_preview_stores_nothing_and_shows_the_verdict(signed_in, sessions):
    response = post(signed_in, "/console/ask", {**ASK, "action": "preview"})
    assert response.status_code == 200
    assert b"Hire product engineers" in response.data and b"A preview: nothing is saved." in response.data
    assert stored(sessions) == 0


def test_save_stores_through_the_api_use_case_and_shows_the_stored_page(signed_in, sessions, client):
    response = post(signed_in, "/console/ask", {**ASK, "action": "save"})
    assert response.status_code == 303
    page = signed_in.get(response.headers["Location"])
    assert page.status_code == 200 and b"Saved as rec_" in page.data
    listed = client.get("/v1/recommendations").get_json()["data"]
    assert len(listed) == 1 and listed[0]["profile"]["external_id"] == "REQ-7"
    assert listed[0]["profile"]["priorities"] == ["ship_fast", "reliability"]


def test_a_wrong_form_is_shown_again_with_the_schemas_errors_by_field(signed_in, sessions):
    response = post(signed_in, "/console/ask", {**ASK, "team_size": "lots", "stage": "", "action": "save"})
    assert response.status_code == 422
    html = response.data.decode()
    assert 'id="team_size-problem"' in html and 'id="stage-problem"' in html
    assert "Company stage is needed." in html and "2 things to fix" in html
    assert 'value="Acme Analytics"' in html  # what was typed stays
    assert stored(sessions) == 0


def test_a_hostile_form_gets_a_short_answer(signed_in):
    response = post(signed_in, "/console/ask", {**ASK, "company_name": "x" * 200_000, "action": "preview"})
    assert response.status_code == 422 and len(response.data) < 60_000


def test_past_answers_list_filters_pages_and_downloads(signed_in, client):
    for index in range(23):
        client.post("/v1/recommendations", json={"stage": "seed" if index % 2 else "public", "team_size": index,
                                                 "product_complexity": "low", "business_model": "b2b_saas",
                                                 "company_name": f"Company {index}"})
    first = signed_in.get("/console/answers").data.decode()
    assert first.count('data-label="Company"') == 20 and "Company 22" in first and 'rel="next"' in first
    older = re.search(r'href="(/console/answers\?cursor=[^"]+)" rel="next"', first).group(1)
    second = signed_in.get(older.replace("&amp;", "&")).data.decode()
    assert second.count('data-label="Company"') == 3 and "Company 0" in second
    seed = signed_in.get("/console/answers?stage=seed").data.decode()
    assert seed.count('data-label="Company"') == 11 and ">Public company, " not in seed and ">Seed, " in seed
    refused = signed_in.get("/console/answers?created_after=yesterday")
    assert refused.status_code == 422 and b"things to fix" in refused.data or b"thing to fix" in refused.data
    csv = signed_in.get("/console/answers.csv?stage=seed")
    assert csv.mimetype == "text/csv" and len(csv.data.decode().strip().splitlines()) == 12


def test_delete_asks_first_then_erases(signed_in, client, sessions):
    rec = client.post("/v1/recommendations", json={**{k: v for k, v in ASK.items() if k not in
                                                        ("team_size", "planned_hires")}, "team_size": 25}).get_json()
    confirm = signed_in.get(f"/console/answers/{rec['id']}/delete")
    assert confirm.status_code == 200 and b"cannot be undone" in confirm.data
    assert stored(sessions) == 1
    gone = post(signed_in, f"/console/answers/{rec['id']}/delete", {}, from_page=f"/console/answers/{rec['id']}/delete")
    assert gone.status_code == 303 and stored(sessions) == 0
    assert signed_in.get(f"/console/answers/{rec['id']}").status_code == 404


def test_share_links_are_made_shown_once_and_revoked(signed_in, client, app):
    rec = client.post("/v1/recommendations", json={"stage": "seed", "team_size": 4, "product_complexity": "low",
                                                   "business_model": "b2b_saas"}).get_json()
    page = f"/console/answers/{rec['id']}"
    made = post(signed_in, f"{page}/share-links", {"expires_in_days": "7"}, from_page=page)
    assert made.status_code == 201
    url = re.search(rb'<a href="(http://localhost/s/[A-Za-z0-9_-]{43})"', made.data).group(1).decode()
    assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 200
    again = signed_in.get(page).data
    assert url.encode() not in again and b">open<" in again
    link_id = client.get(f"/v1/recommendations/{rec['id']}/share-links").get_json()["data"][0]["id"]
    revoked = post(signed_in, f"/console/share-links/{link_id}/revoke", {"recommendation_id": rec["id"]},
                   from_page=page)
    assert revoked.status_code == 303
    assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 404


def test_tuning_simulates_a_draft_then_saves_it_as_a_profile_then_a_version(signed_in, client):
    client.post("/v1/recommendations", json={"stage": "series_b", "team_size": 30, "product_complexity": "medium",
                                             "business_model": "marketplace", "company_name": "Balanced Co"})
    page = signed_in.get("/console/tuning").data.decode()
    assert "Company stage" in page and "None yet" in page
    form = signed_in.get("/console/tuning/draft").data.decode()
    assert 'name="weight.stage" min="0" step="0.05" value="0.9"' in form
    weights = {f"weight.{name}": value for name, value in re.findall(r'name="weight\.(\w+)" min="0" step="0.05" '
                                                                       r'value="([^"]*)"', form)}
    draft = {**weights, "from": "wp_default", "name": "Product first", "threshold.lower": "40",
             "threshold.upper": "45"}
    simulated = post(signed_in, "/console/tuning/draft", {**draft, "action": "simulate"},
                     from_page="/console/tuning/draft")
    assert simulated.status_code == 200
    assert b"<strong>1</strong> would change" in simulated.data and b"Balanced Co" in simulated.data  # 56%: now product
    saved = post(signed_in, "/console/tuning/draft", {**draft, "action": "save_new"}, from_page="/console/tuning/draft")
    assert saved.status_code == 303
    profiles = client.get("/v1/weight-profiles").get_json()["data"]
    assert [(p["name"], p["version"], p["thresholds"]) for p in profiles] == [
        ("Product first", 1, {"lower": 0.4, "upper": 0.45})]
    wp = profiles[0]["id"]
    form = signed_in.get(f"/console/tuning/draft?from={wp}").data.decode()
    assert "Save as version 2 of Product first" in form
    again = post(signed_in, "/console/tuning/draft", {**draft, "from": wp, "weight.stage": "2", "action":
                                                      "save_version"}, from_page=f"/console/tuning/draft?from={wp}")
    assert again.status_code == 303
    latest = client.get(f"/v1/weight-profiles/{wp}").get_json()
    assert (latest["version"], latest["weights"]["stage"]) == (2, 2.0)


def test_a_wrong_draft_names_its_field(signed_in):
    response = post(signed_in, "/console/tuning/draft", {"from": "wp_default", "name": "x", "weight.stage": "-1",
                                                         "threshold.lower": "70", "threshold.upper": "30",
                                                         "action": "simulate"}, from_page="/console/tuning/draft")
    assert response.status_code == 422
    html = response.data.decode()
    assert 'id="weight.stage-problem"' in html and "things to fix" in html


def test_the_keys_scopes_decide_what_the_console_offers(browser, new_key, sessions):
    reader = new_key("reader", scopes=("recommendations:read",))
    post(browser, "/console/sign-in", {"key": reader})
    ask = browser.get("/console/ask").data.decode()
    assert "Preview the answer" in ask and 'value="save"' not in ask and ">Tuning<" not in ask
    assert browser.get("/console/tuning").status_code == 403
    refused = post(browser, "/console/ask", {**ASK, "action": "save"})
    assert refused.status_code == 403 and stored(sessions) == 0


def test_console_pages_count_against_the_keys_rate_limit(database_url, new_key):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_RATE_LIMIT": "5/minute"})
    key = new_key("limited")
    browser = app.test_client()
    post(browser, "/console/sign-in", {"key": key})
    statuses = [browser.get("/console/answers").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # the key's own budget: signing in took the address's, not the key's


def test_over_https_a_form_must_come_from_this_site(app, api_key):
    browser = app.test_client()
    page = browser.get("/console/sign-in", base_url="https://hiremix.example")
    assert page.headers["Referrer-Policy"] == "same-origin"  # so the browser sends the Referer this check needs
    token = token_of(page.data)
    form = {"key": api_key, "csrf_token": token}
    elsewhere = browser.post("/console/sign-in", data=form, base_url="https://hiremix.example",
                             headers={"Referer": "https://evil.example/console/sign-in"})
    assert elsewhere.status_code == 400
    here = browser.post("/console/sign-in", data=form, base_url="https://hiremix.example",
                        headers={"Referer": "https://hiremix.example/console/sign-in"})
    assert here.status_code == 302


def test_the_api_never_takes_the_console_cookie(signed_in):
    assert signed_in.get("/v1/recommendations").status_code == 401
    assert signed_in.get_cookie("hiremix_console", path="/console") is not None


def test_a_database_that_cannot_be_reached_gives_a_page_saying_so_not_a_500(signed_in, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down():
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(app.session_interface, "sessions", down)
    response = signed_in.get("/console/answers")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert b"hiremix is busy" in response.data and response.headers["Retry-After"] == "5"


def test_a_database_failing_inside_a_page_gives_the_same_page(signed_in, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from service import recommendations

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(recommendations, "newest", down)
    response = signed_in.get("/console/answers")
    assert response.status_code == 503 and b"hiremix is busy" in response.data


def test_visitors_who_do_not_sign_in_write_nothing_and_are_limited_per_address(database_url, sessions):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_RATE_LIMIT": "5/minute"})
    browser = app.test_client()
    statuses = []
    for cookie in ("", "x", "A" * 43, "junk.signed.value"):  # none, junk, an unknown id, a forged signature
        browser.set_cookie("hiremix_console", cookie, path="/console") if cookie else None
        statuses += [browser.get("/console/sign-in").status_code, browser.get("/console/ask").status_code]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 0
    assert 429 in statuses
    limited = browser.get("/console/sign-in")
    assert limited.status_code == 429 and limited.mimetype == "text/html" and b"Too many requests" in limited.data


def test_an_anonymous_cookie_can_never_carry_a_sign_in(app, api_key, sessions):
    from service.web.sessions import DatabaseSessions

    with sessions() as session:
        key_id = session.scalar(select(ApiKey.id))
    forged = DatabaseSessions.get_signing_serializer(app).dumps({"key_id": key_id})
    browser = app.test_client()
    browser.set_cookie("hiremix_console", forged, path="/console")
    assert browser.get("/console/ask").status_code == 302
    assert browser.get("/console/ask").status_code == 302  # and not later either
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 0


def test_a_key_id_in_the_session_makes_no_row_unless_it_signed_in_here(app, api_key, sessions, monkeypatch):
    from service.web import sessions as console_sessions

    with sessions() as session:
        key_id = session.scalar(select(ApiKey.id))
    monkeypatch.setattr(console_sessions.DatabaseSessions, "_anonymous", lambda self, app, cookie: {"key_id": key_id})
    browser = app.test_client()
    assert browser.get("/console/ask").status_code == 302
    assert browser.get("/console/ask").status_code == 302
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 0


@pytest.mark.parametrize("path", ["/console/ask?again=rec_x", "/console/ask?again=a%00b",
                                  "/console/ask?again=rec_00000000000000000000000000",
                                  "/console/tuning/draft?from=wp_x%00", "/console/tuning/draft?from=nothing",
                                  "/console/answers/zzz", "/console/answers/rec_x/delete", "/console/nowhere"])
def test_odd_addresses_get_a_404_page(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html", response.data[:300]
    assert b"<h1>Not found</h1>" in response.data


def test_a_number_in_another_script_is_refused_by_the_schema_not_a_500(signed_in):
    response = post(signed_in, "/console/ask", {**ASK, "team_size": "²", "action": "preview"})
    assert response.status_code == 422 and b'id="team_size-problem"' in response.data
    assert signed_in.get("/console/ask?stage=seed&team_size=%C2%B2").status_code == 200


@pytest.mark.parametrize("target", ["/console/\r\nX:1", "/console/x\ny", "/console/" + "a" * 600])
def test_a_next_address_with_line_breaks_or_too_long_goes_home(app, api_key, target):
    browser = app.test_client()
    token = token_of(browser.get("/console/sign-in", query_string={"next": target}).data)
    response = browser.post("/console/sign-in", data={"key": api_key, "next": target, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    assert browser.get("/console/sign-in", query_string={"next": target}).headers["Location"] == "/console/"


def test_a_weight_profile_that_is_not_yours_is_named_on_the_form(signed_in, sessions):
    response = post(signed_in, "/console/ask", {**ASK, "weight_profile_id": "wp_00000000000000000000000000",
                                                "action": "preview"})
    assert response.status_code == 422
    assert b'href="#weight_profile_id">Weights</a>' in response.data and b"1 thing to fix" in response.data
    assert b'value="Acme Analytics"' in response.data  # what was typed stays


def draft_form(signed_in, source: str = "wp_default") -> dict:
    form = signed_in.get(f"/console/tuning/draft?from={source}").data.decode()
    fields = dict(re.findall(r'name="((?:weight|threshold)\.\w+)"[^>]*value="([^"]*)"', form))
    name = re.search(r'id="name" name="name"[^>]*value="([^"]*)"', form).group(1)
    return {**fields, "from": source, "name": name}


def test_only_the_named_actions_save_a_draft(signed_in, client):
    for action in ("bogus", "", "save_version"):  # save_version of the built-in weights: there is none
        response = post(signed_in, "/console/tuning/draft", {**draft_form(signed_in), "action": action},
                        from_page="/console/tuning/draft")
        assert response.status_code == 400, action
    assert client.get("/v1/weight-profiles").get_json()["data"] == []


def test_a_draft_left_as_it_was_saves_the_same_weights_exactly(signed_in, client):
    made = client.post("/v1/weight-profiles", json={"name": "Odd", "thresholds": {"lower": 0.41234567,
                                                                                  "upper": 0.6}}).get_json()
    form = draft_form(signed_in, made["id"])
    saved = post(signed_in, "/console/tuning/draft", {**form, "action": "save_version"},
                 from_page=f"/console/tuning/draft?from={made['id']}")
    assert saved.status_code == 303
    latest = client.get(f"/v1/weight-profiles/{made['id']}").get_json()
    assert latest["version"] == 2 and latest["thresholds"] == made["thresholds"] and latest["hash"] == made["hash"]


def test_a_draft_without_a_name_still_simulates_but_is_not_saved(signed_in, client):
    form = {**draft_form(signed_in), "name": ""}
    assert post(signed_in, "/console/tuning/draft", {**form, "action": "simulate"},
                from_page="/console/tuning/draft").status_code == 200
    refused = post(signed_in, "/console/tuning/draft", {**form, "action": "save_new"},
                   from_page="/console/tuning/draft")
    assert refused.status_code == 422 and b'id="name-problem"' in refused.data


def test_a_session_that_cannot_be_read_for_another_reason_gives_the_500_page(signed_in, app, monkeypatch):
    def broken():
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(app.session_interface, "sessions", broken)
    response = signed_in.get("/console/answers")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert b"Something went wrong" in response.data and b"request id" in response.data


def test_a_session_that_cannot_be_saved_gives_the_503_page(app, api_key, monkeypatch):
    from sqlalchemy.exc import OperationalError

    browser = app.test_client()
    token = token_of(browser.get("/console/sign-in").data)
    real = app.session_interface.sessions

    class Down:
        def __call__(self, *args, **kwargs):
            return real(*args, **kwargs)

        def begin(self):
            raise OperationalError("INSERT", {}, Exception("connection lost"))

    monkeypatch.setattr(app.session_interface, "sessions", Down())
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a failure while finishing becomes a page
    response = browser.post("/console/sign-in", data={"key": api_key, "csrf_token": token})
    assert response.status_code == 503 and b"hiremix is busy" in response.data


def test_a_method_the_console_does_not_take_gets_a_page(signed_in):
    response = signed_in.put("/console/ask")
    assert response.status_code == 405 and response.mimetype == "text/html" and "POST" in response.headers["Allow"]
    assert signed_in.put("/v1/recommendations/preview").mimetype == "application/problem+json"  # the API as before
