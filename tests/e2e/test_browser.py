"""The pages people see, in a real browser: Debian's headless Chromium driven by Playwright.

- /docs (and / which redirects there) renders every operation of the document from
  assets this server serves (no request leaves it: it works offline); pasting a key
  into Authorize and trying POST /v1/recommendations/preview shows a recommendation.
- A stored recommendation opened in the browser (the key as the Basic user name) is a
  readable page: the verdict, the split, one contribution row per factor, what would
  change it and the role profiles; it prints (without its buttons), and on a phone's
  390 px nothing scrolls sideways and each reason reads at full width under its bar.
- axe-core finds nothing against WCAG 2.1 A and AA on /docs, the result page (answers of
  both models), a share link's page and its not-found page, at 1280 px and at 390 px.

HIREMIX_SCREENSHOTS=docs makes the test refresh the screenshots in docs/ (`make screenshots`).
Chromium comes from apt (`apt-get install chromium`; CI installs it); without it these tests
are skipped outside CI and fail in CI.
"""

from __future__ import annotations

import json

import pytest

from service.http.result_page import VERDICTS
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.servers import create_key
from tests.fixtures.stored import documents, store_for_key

pytestmark = pytest.mark.e2e

PROFILE = {"stage": "growth", "team_size": 300, "product_complexity": "high",
           "business_model": "consumer_subscription", "priorities": ["ship_fast", "innovation", "growth"],
           "planned_hires": 6, "company_name": "Acme Analytics", "external_id": "REQ-1042"}


def test_docs_render_every_operation_offline_and_try_it_out_shows_a_recommendation(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith((server.base, "data:"))
            else elsewhere.append(request.url))
    violations = watch_csp(page)

    page.goto(server.base + "/docs")
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
    assert page.locator("#contributions tbody tr").count() == len(stored["factors"]) + len(stored["interactions"])
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
    assert page.locator("#contributions tbody tr").count() == len(stored["factors"]) + len(stored["interactions"])
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


@pytest.fixture(scope="module")
def pages(server, env) -> dict[str, str]:
    """A path of each page people see: /docs; the result page of a model 2 answer (with interactions and a
    headcount) and of two answers earlier releases stored (model 1, with and without what would change
    them); a share link's page and the page of a link that opens nothing."""
    status, _headers, raw = server.call("POST", "/v1/recommendations", PROFILE)
    assert status == 201
    stored = json.loads(raw)
    assert stored["interactions"] and stored["headcount"]
    status, _headers, raw = server.call("POST", f"/v1/recommendations/{stored['id']}/share-links", {})
    assert status == 201
    store_for_key(env["DATABASE_URL"], server.key)
    first, decision_aids = documents("first_release")[0], documents("decision_aids")[2]
    assert "what_would_change" not in first and decision_aids["what_would_change"]
    return {"/docs": "/docs",
            "result page, model 2": f"/v1/recommendations/{stored['id']}/page",
            "result page, model 1 (first release)": f"/v1/recommendations/{first['id']}/page",
            "result page, model 1 (decision aids)": f"/v1/recommendations/{decision_aids['id']}/page",
            "share link page": json.loads(raw)["url"].removeprefix(server.base),
            "share link not found": "/s/" + "A" * 43}


def open_page(page, url: str) -> None:
    """Go to `url`; on /docs, wait until Swagger UI has drawn the operations."""
    page.goto(url)
    if url.endswith("/docs"):
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe_at_desktop_and_phone_widths(browser, server, pages, width):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  http_credentials={"username": server.key, "password": ""})
    page = context.new_page()
    for name, path in pages.items():
        open_page(page, server.base + path)
        assert_accessible(page, f"{name} at {width} px")
    context.close()


def test_on_a_phone_nothing_scrolls_sideways_and_each_reason_reads_under_its_bar(browser, server, pages):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  http_credentials={"username": server.key, "password": ""})
    page = context.new_page()
    for name, path in pages.items():
        open_page(page, server.base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.goto(server.base + pages["result page, model 2"])
    screenshot(page, "result-page-phone.png")
    rows = page.locator("#contributions tbody tr")
    assert rows.count() > 5
    for row in rows.all():
        label, chart, number, reason = (row.locator(f"td.{part}").bounding_box()
                                        for part in ("factor", "chart", "number", "reason"))
        box = row.bounding_box()
        assert label["y"] + label["height"] <= chart["y"] + 1  # the label, then the bar beside its number
        assert abs(chart["y"] - number["y"]) < 4 and chart["x"] + chart["width"] <= number["x"]
        assert reason["y"] >= chart["y"] + chart["height"] - 1  # then the reason, under them, as wide as the row
        assert reason["width"] >= box["width"] - 1 and chart["width"] > 200
    context.close()


def test_the_legend_of_the_contributions_comes_before_them_in_words(browser, server, pages):
    page = browser.new_context(http_credentials={"username": server.key, "password": ""}).new_page()
    page.goto(server.base + pages["result page, model 2"])
    legend = page.locator("#how-to-read")
    assert legend.bounding_box()["y"] < page.locator("#contributions").bounding_box()["y"]
    words = legend.inner_text()
    assert "toward product engineers" in words and "toward software engineers" in words and "log-odds" in words
    assert page.locator("#contributions").get_attribute("aria-describedby") == "how-to-read"
    page.context.close()


def test_printed_the_page_leaves_out_its_buttons_and_keeps_its_colours(browser, server, pages):
    page = browser.new_context(http_credentials={"username": server.key, "password": ""}).new_page()
    page.goto(server.base + pages["result page, model 2"])
    # What a page that extends this one (the console) may add: a navigation bar, its own buttons.
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('afterbegin', '<nav id="added-nav"><a href="#">Elsewhere</a></nav>');
        document.querySelector('main').insertAdjacentHTML('beforeend', '<p class="no-print" id="added">x</p>');
    }""")
    hidden = ["#print", ".page-actions", "#added-nav", "#added"]
    assert all(page.locator(selector).is_visible() for selector in hidden)
    page.emulate_media(media="print")
    assert not any(page.locator(selector).is_visible() for selector in hidden)
    assert page.locator("#verdict").is_visible() and page.locator("#contributions").is_visible()
    style = "([selector, name]) => getComputedStyle(document.querySelector(selector)).getPropertyValue(name)"
    for selector in (".split .product", ".split .software", ".bar"):
        assert page.evaluate(style, [selector, "print-color-adjust"]) == "exact", selector
    assert page.evaluate(style, ["#contributions tbody tr", "break-inside"]) == "avoid"
    assert page.pdf(format="Letter").startswith(b"%PDF")
    page.context.close()


def test_the_keyboard_reaches_every_control_of_the_page_and_shows_where_it_is(browser, server, pages):
    page = browser.new_context(http_credentials={"username": server.key, "password": ""}).new_page()
    page.goto(server.base + pages["result page, model 2"])
    controls = page.locator("a[href], button").count()
    assert controls >= 1
    reached = []
    for _ in range(controls):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("""() => {
            const focused = document.activeElement, style = getComputedStyle(focused);
            return {id: focused.id, tag: focused.tagName, outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth)};
        }"""))
    assert reached[0]["id"] == "print"
    assert all(item["tag"] in ("A", "BUTTON") and item["outline"] != "none" and item["width"] >= 2
               for item in reached), reached
    page.context.close()
