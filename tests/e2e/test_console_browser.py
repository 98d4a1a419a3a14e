"""The console in a real browser: Debian's Chromium driven by Playwright against gunicorn.

One person's whole visit: sign in by pasting the line `make run` printed, ask, see the verdict, list past
answers, share one, tune and simulate a draft, save it as weights and as a new version, sign out; then a wrong
key, an expired session and a form posted without its CSRF token. axe-core checks every page (WCAG 2.1 A and
AA rules) at 1280 and 390 px wide; at 390 px nothing scrolls sideways; the same flow is walked by keyboard alone.

HIREMIX_SCREENSHOTS=docs refreshes docs/console*.png (`make screenshots`).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, update

from service.web.tables import ConsoleSession
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def check_page(page, name: str) -> None:
    """axe-core finds nothing at this width, and nothing is wider than the window."""
    assert_accessible(page, name)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width} px"


def sign_in(page, server, pasted: str | None = None) -> None:
    page.goto(server.base + "/")
    assert page.url == server.base + "/console/sign-in"
    page.get_by_label("API key").fill(pasted or f"export HIREMIX_KEY={server.key}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/console/ask$"))


def fill_ask(page) -> None:
    page.get_by_role("group", name="Company stage").get_by_label("Series A").check()
    page.get_by_label("Engineers today").fill("25")
    page.get_by_label("Planned hires").fill("5")
    page.get_by_role("group", name="Product complexity").get_by_label("High", exact=True).check()
    page.get_by_role("group", name="Business model").get_by_label("B2B SaaS").check()
    page.get_by_label("Ship fast").check()
    page.get_by_label("Reliability").check()
    page.get_by_label("Direct: engineers talk to customers").check()
    page.get_by_label("Company name").fill("Acme Analytics")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_whole_visit_with_axe_on_every_page(browser, server, viewport):
    suffix = "" if viewport is WIDE else "-phone"
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith((server.base, "data:"))
            else elsewhere.append(request.url))
    page.goto(server.base + "/console/sign-in")
    check_page(page, f"sign-in{suffix}")
    screenshot(page, f"console-sign-in{suffix}.png")
    sign_in(page, server)

    check_page(page, f"ask{suffix}")
    fill_ask(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"console{suffix}.png")
    page.get_by_role("button", name="Preview the answer").click()
    assert page.locator("#verdict").inner_text() == "Hire product engineers"
    assert page.get_by_text("A preview: nothing is saved.").is_visible()
    check_page(page, f"preview{suffix}")
    page.get_by_role("button", name="Save this answer").click()
    page.wait_for_url(re.compile(r".*/console/answers/rec_\w+\?stored=1$"))
    assert page.get_by_text(re.compile(r"^Saved as rec_")).is_visible()
    assert page.get_by_role("heading", name="What would change it").is_visible()
    check_page(page, f"answer{suffix}")
    screenshot(page, f"console-answer{suffix}.png")

    page.get_by_role("button", name="Make a share link").click()
    link = page.locator(".newlink a").inner_text()
    assert re.fullmatch(re.escape(server.base) + r"/s/[A-Za-z0-9_-]{43}", link)
    check_page(page, f"answer with a new share link{suffix}")

    page.get_by_role("link", name="Past answers", exact=True).click()
    assert page.get_by_role("cell", name="Acme Analytics").first.is_visible()
    check_page(page, f"past answers{suffix}")
    screenshot(page, f"console-answers{suffix}.png")
    page.get_by_label("Stage").select_option(label="Series A")
    page.get_by_role("button", name="Filter").click()
    assert "stage=series_a" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these as CSV").click()
    assert download.value.suggested_filename == "recommendations.csv"

    page.get_by_role("link", name="Tuning").click()
    check_page(page, f"tuning{suffix}")
    page.get_by_role("link", name="Make a draft from the built-in weights").click()
    check_page(page, f"draft{suffix}")
    page.get_by_label("Name", exact=True).fill(f"Specialists first{suffix}")
    page.get_by_label("Product complexity").fill("3")
    page.get_by_role("button", name="Simulate against saved answers").click()
    assert page.get_by_role("heading", name="What the draft would change").is_visible()
    assert page.get_by_text(re.compile(r"Of your \d+ newest saved answers")).is_visible()
    check_page(page, f"simulation{suffix}")
    screenshot(page, f"console-tuning{suffix}.png")
    page.get_by_role("button", name="Save as new weights").click()
    assert page.get_by_text(re.compile(f"Saved “Specialists first{suffix}” as version 1")).is_visible()
    page.get_by_role("link", name=f"Make a draft from Specialists first{suffix}").click()
    page.get_by_label("Stage").fill("0.5")
    page.get_by_role("button", name=f"Save as version 2 of Specialists first{suffix}").click()
    assert page.get_by_text(re.compile(f"Saved “Specialists first{suffix}” as version 2")).is_visible()

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("Signed out.").is_visible()
    page.goto(server.base + "/console/answers")
    assert page.url.startswith(server.base + "/console/sign-in")
    assert elsewhere == []
    context.close()


def test_a_wrong_key_is_refused_on_the_page(browser, server):
    page = browser.new_context(viewport=WIDE).new_page()
    page.goto(server.base + "/console/sign-in")
    page.get_by_label("API key").fill("export HIREMIX_KEY=hk_test_" + "0" * 40)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("This API key is unknown or has been revoked.").is_visible()
    assert page.get_by_label("API key").get_attribute("aria-invalid") == "true"
    check_page(page, "sign-in with a wrong key")


def test_an_expired_session_asks_to_sign_in_again_and_comes_back(browser, server, env):
    page = browser.new_context(viewport=WIDE).new_page()
    sign_in(page, server)
    engine = create_engine(env["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(update(ConsoleSession).values(
            expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    engine.dispose()
    page.goto(server.base + "/console/answers")
    assert page.get_by_text("Your session has ended. Sign in again to go on.").is_visible()
    page.get_by_label("API key").fill(server.key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.base + "/console/answers")


def test_a_form_posted_without_its_csrf_token_is_refused(browser, server):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, server)
    before = len(json_list(server))
    refused = context.request.post(server.base + "/console/ask", form={
        "stage": "seed", "team_size": "3", "product_complexity": "low", "business_model": "b2b_saas",
        "action": "save"})  # the session cookie goes along; the token does not
    assert refused.status == 400 and "security token" in refused.text()
    assert len(json_list(server)) == before


def json_list(server) -> list:
    import json

    return json.loads(server.call("GET", "/v1/recommendations?limit=100")[2])["data"]


def tab_to(page, accessible: str, most: int = 120) -> None:
    """Press Tab until the focused element's label or text contains `accessible` (a keyboard user's path)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement; if (!e) return '';
            const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
            return [label, e.innerText || '', e.getAttribute('aria-label') || '', e.value || ''].join(' | '); }""")
        if accessible in focused:
            return
    raise AssertionError(f"Tab never reached {accessible!r}")


def focused_label(page) -> str:
    return page.evaluate("() => { const e = document.activeElement; return e && e.labels && e.labels.length ? "
                         "e.labels[0].innerText.trim() : ''; }")


def choose(page, first: str, wanted: str) -> None:
    """A radio group as a keyboard user works it: Tab into the group, arrows to the choice, Space."""
    tab_to(page, first)
    for _ in range(12):
        if focused_label(page) == wanted:
            break
        page.keyboard.press("ArrowRight")
    assert focused_label(page) == wanted
    page.keyboard.press("Space")


def test_the_flow_works_by_keyboard_alone(browser, server):
    page = browser.new_context(viewport=WIDE).new_page()
    page.goto(server.base + "/console/sign-in")
    tab_to(page, "API key")
    page.keyboard.type(server.key)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/ask$"))
    choose(page, "Pre-seed", "Seed")
    tab_to(page, "Engineers today")
    page.keyboard.type("6")
    choose(page, "Low", "Low")
    choose(page, "B2B SaaS", "B2B SaaS")
    tab_to(page, "Ship fast")
    page.keyboard.press("Space")
    tab_to(page, "Save and show the answer")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/answers/rec_\w+\?stored=1$"))
    assert page.locator("#verdict").inner_text().startswith("Hire")
    tab_to(page, "Past answers")
    page.keyboard.press("Enter")
    page.wait_for_url(server.base + "/console/answers")
    tab_to(page, "Sign out")
    page.keyboard.press("Enter")
    page.wait_for_url(server.base + "/console/sign-in")
    assert page.get_by_text("Signed out.").is_visible()
