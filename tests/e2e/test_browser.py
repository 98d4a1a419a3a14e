"""The pages people see, in a real browser: Debian's headless Chromium driven by Playwright.

- /docs (and / which redirects there) renders every operation of the document from
  assets this server serves (no request leaves it: it works offline); pasting a key
  into Authorize and trying POST /v1/recommendations/preview shows a recommendation.
- A stored recommendation opened in the browser (the key as the Basic user name) is a
  readable page: the verdict, the split, one contribution row per factor, what would
  change it and the role profiles; it prints.

HIREMIX_SCREENSHOTS=docs makes the test refresh the screenshots in docs/ (`make screenshots`).
Chromium comes from apt (`apt-get install chromium`; CI installs it); without it these tests
are skipped outside CI and fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from service.http.result_page import VERDICTS
from tests.e2e.servers import create_key, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, in a sandbox with no network but the registries: no sandbox, no background traffic.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PROFILE = {"stage": "growth", "team_size": 300, "product_complexity": "high",
           "business_model": "consumer_subscription", "priorities": ["ship_fast", "innovation", "growth"],
           "planned_hires": 6, "company_name": "Acme Analytics", "external_id": "REQ-1042"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs Chromium for the browser tests: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return sqlite_env(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(env):
    key = create_key(env, "browser")
    with gunicorn(env, key) as running:
        yield running


def screenshot(page, name: str) -> None:
    folder = os.environ.get("HIREMIX_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(ROOT / folder / name), full_page=name.endswith("-full.png"))


def test_docs_render_every_operation_offline_and_try_it_out_shows_a_recommendation(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith((server.base, "data:"))
            else elsewhere.append(request.url))
    violations = watch_csp(page)

    page.goto(server.base + "/")
    assert page.url == server.base + "/docs"
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    document = json.loads(server.call("GET", "/openapi.json", key=None)[2])
    documented = {(method.upper(), path) for section in ("paths", "webhooks")  # webhooks: what receivers get
                  for path, operations in document[section].items() for method in operations
                  if method != "parameters"}
    shown = {(block.locator(".opblock-summary-method").inner_text().strip(),
              block.locator(".opblock-summary-path").get_attribute("data-path"))
             for block in page.locator(".opblock").all()}
    assert shown == documented
    screenshot(page, "docs.png")

    page.click("button.authorize")
    page.locator(".modal-ux input").first.fill(server.key)
    page.click(".modal-ux button.authorize")
    page.click(".modal-ux button.btn-done")
    operation = page.locator("#operations-recommendations-preview_recommendation")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    status.wait_for(timeout=20_000)
    assert status.inner_text().strip().startswith("200")
    answer = json.loads(operation.locator(".live-responses-table tbody .microlight").first.inner_text())
    assert answer["recommendation"] in ("product_engineers", "software_engineers", "both")
    assert answer["profile"]["stage"] == "seed" and answer["factors"]
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    screenshot(page, "docs-try-it-out.png")

    # Stored twice with two different bodies: the documented Idempotency-Key example ({{$guid}}) is made a
    # fresh key on every send, so the second is a new request, not a reused key.
    create = page.locator("#operations-recommendations-create_recommendation")
    create.locator(".opblock-summary").click()
    create.locator("button.try-out__btn").click()
    ids = []
    for example in (0, 1):
        create.locator(".opblock-section-request-body .examples-select select").first.select_option(index=example)
        create.locator("button.execute").click()
        answer_text = create.locator(".live-responses-table tbody .microlight").first
        page.wait_for_function("([node, known]) => { try { const id = JSON.parse(node.innerText).id;"
                               " return id && !known.includes(id); } catch (e) { return false; } }",
                               arg=[answer_text.element_handle(), ids], timeout=20_000)
        assert create.locator(".live-responses-table tbody .response-col_status").inner_text().strip() \
            .startswith("201")
        ids.append(json.loads(answer_text.inner_text())["id"])
    assert len(set(ids)) == 2
    assert elsewhere == [], f"the docs page fetched from elsewhere: {elsewhere}"
    assert page.evaluate("window.localStorage.getItem('authorized')") is None  # not kept unless asked
    assert violations == []
    context.close()


def watch_csp(page) -> list[str]:
    """What the page's Content-Security-Policy refused, as Chromium reports it on the console."""
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def test_docs_remember_the_key_only_when_asked(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.base + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    with page.expect_navigation():
        page.check("#remember-key")
    page.wait_for_selector("button.authorize", timeout=20_000)
    page.click("button.authorize")
    page.locator(".modal-ux input").first.fill(server.key)
    page.click(".modal-ux button.authorize")
    page.click(".modal-ux button.btn-done")
    assert server.key in (page.evaluate("window.localStorage.getItem('authorized')") or "")
    with page.expect_navigation():
        page.uncheck("#remember-key")
    assert page.evaluate("window.localStorage.getItem('authorized')") is None
    context.close()


def test_a_stored_recommendation_reads_as_a_printable_page(browser, server, env):
    status, _headers, raw = server.call("POST", "/v1/recommendations", PROFILE)
    assert status == 201
    stored = json.loads(raw)
    url = f"{server.base}/v1/recommendations/{stored['id']}"

    anonymous = browser.new_context()  # a browser is offered Basic first, so that it asks for the key
    refused = anonymous.request.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert refused.status == 401 and refused.headers["www-authenticate"].startswith("Basic ")
    anonymous.close()

    context = browser.new_context(viewport={"width": 1000, "height": 1400},
                                  http_credentials={"username": server.key, "password": ""})
    page = context.new_page()
    violations = watch_csp(page)
    shown = page.goto(url)
    assert shown.status == 200 and shown.headers["content-type"].startswith("text/html")
    assert page.locator("#verdict").inner_text() == VERDICTS[stored["recommendation"]]
    share = round(stored["scores"]["product_engineers"] * 100)
    assert page.locator(".split .product").inner_text() == f"{share}% product"
    assert page.locator("#contributions tr").count() == len(stored["factors"]) + len(stored["interactions"])
    assert page.locator("#contributions tr.interaction").count() == len(stored["interactions"]) > 0
    assert page.locator("#what-would-change li").count() == len(stored["what_would_change"])
    assert page.locator("#what-would-change-note").inner_text() == stored["what_would_change_note"]
    assert page.locator("#confidence").inner_text().startswith(f"Confidence {stored['confidence'] * 100:.0f}%: how sure")
    assert page.locator(".role h3").all_inner_texts() == [role["title"] for role in stored["role_profiles"]]
    assert "Acme Analytics" in page.title()
    screenshot(page, "result-page.png")
    pdf = page.pdf(format="A4")  # printable: Chromium's own print pipeline renders it
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert shown.headers["content-security-policy"].startswith("default-src 'none'")
    assert (shown.headers["x-frame-options"], shown.headers["x-content-type-options"]) == ("DENY", "nosniff")
    page.evaluate("window.print = function () { window.printed = true; }")
    page.click("#print")  # the button's handler is the page's own nonce'd script, not an inline onclick
    assert page.evaluate("window.printed") is True
    assert violations == []

    other_key = create_key(env, "another tenant")  # a key of a new tenant
    stranger = browser.new_context(http_credentials={"username": other_key, "password": ""})
    assert stranger.new_page().goto(url).status == 404  # same tenant rules as the JSON
    stranger.close()
    context.close()


def test_a_share_link_opens_the_page_in_a_browser_without_a_key(browser, server):
    status, _headers, raw = server.call("POST", "/v1/recommendations", PROFILE)
    assert status == 201
    stored = json.loads(raw)
    status, _headers, raw = server.call("POST", f"/v1/recommendations/{stored['id']}/share-links",
                                        {"expires_in_days": 7})
    assert status == 201
    link = json.loads(raw)
    assert link["url"].startswith(server.base + "/s/")

    context = browser.new_context(viewport={"width": 1000, "height": 1400})  # no credentials at all
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    violations = watch_csp(page)
    shown = page.goto(link["url"])
    assert shown.status == 200 and shown.headers["content-type"].startswith("text/html")
    assert page.locator("#verdict").inner_text() == VERDICTS[stored["recommendation"]]
    assert page.locator("#contributions tr").count() == len(stored["factors"]) + len(stored["interactions"])
    assert "REQ-1042" not in page.content()  # the requisition id stays with the tenant
    assert (shown.headers["cache-control"], shown.headers["x-robots-tag"]) == ("no-store", "noindex, nofollow")
    assert requested == [link["url"]]  # the page loads nothing else, so nothing that needs a key
    assert page.locator("a").count() == 0
    page.evaluate("window.print = function () { window.printed = true; }")
    page.click("#print")
    assert page.evaluate("window.printed") is True
    assert violations == []

    assert server.call("DELETE", f"/v1/share-links/{link['id']}")[0] == 204
    gone = page.goto(link["url"])
    assert gone.status == 404 and page.locator("h1").inner_text() == "This link does not open anything"
    assert violations == []
    context.close()
