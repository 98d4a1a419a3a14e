"""GET /v1/recommendations/{id} as a page for people (Accept: text/html), with the JSON's tenant rules; what
the page says and in which words; the blocks a page that extends it fills. (Layout, print and accessibility
in a real browser: tests/e2e/test_browser.py.)"""

import re

from jinja2 import ChoiceLoader, DictLoader

from service import keys
from service.http import result_page
from tests.api.conftest import VALID, problem
from tests.fixtures.stored import every_document, record

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_a_readable_page_and_an_api_client_still_gets_json(client):
    created = client.post("/v1/recommendations", json={**VALID, "planned_hires": 4, "company_name": "Acme",
                                                       "priorities": ["ship_fast"]}).get_json()
    url = f"/v1/recommendations/{created['id']}"
    page = client.get(url, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html" and "Accept" in page.vary
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert re.search(r'<h1 id="verdict">Hire product engineers</h1>', html)
    share = round(created["scores"]["product_engineers"] * 100)
    assert f"{share}% product" in html and f"{100 - share}% software" in html
    assert html.count('<td class="factor">') == len(created["factors"])
    assert "Of your next 4 hires" in html and created["id"] in html
    for role in created["role_profiles"]:
        assert role["title"] in html
    for accept in (None, "*/*", "application/json", "application/json, text/html;q=0.5"):
        answer = client.get(url, headers={"Accept": accept} if accept else {})
        assert answer.mimetype == "application/json" and answer.get_json() == created, accept


def test_text_on_the_page_is_escaped(client):
    created = client.post("/v1/recommendations", json={**VALID, "company_name": "<script>alert(1)</script>",
                                                       "external_id": "a&b"}).get_json()
    html = client.get(f"/v1/recommendations/{created['id']}", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a&amp;b" in html


def test_the_page_keeps_the_tenant_rules_and_asks_a_browser_for_the_key(client, anonymous, new_key):
    created = client.post("/v1/recommendations", json=VALID).get_json()
    url = f"/v1/recommendations/{created['id']}"
    other = {"Authorization": f"Bearer {new_key('tenant b')}", "Accept": BROWSER}
    problem(anonymous.get(url, headers=other), 404, "not_found")
    refused = anonymous.get(url, headers={"Accept": BROWSER})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Basic realm="hiremix')
    assert 'Bearer realm="hiremix"' in refused.headers["WWW-Authenticate"]
    assert "Accept" in refused.vary  # the challenge depends on Accept
    assert anonymous.get(url).headers["WWW-Authenticate"] == 'Bearer realm="hiremix"'  # API clients: Bearer only


def test_docs_are_served_from_this_server_and_the_root_leads_to_the_console(anonymous):
    assert anonymous.get("/").headers["Location"] == "/console/"
    html = anonymous.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith(("/docs/assets/", "/static/")) for asset in assets), assets
    for asset in assets:
        assert anonymous.get(asset).status_code == 200, asset
    assert 'url: "/openapi.json"' in html


def _page(client, **profile) -> str:
    created = client.post("/v1/recommendations", json={**VALID, **profile}).get_json()
    return client.get(f"/v1/recommendations/{created['id']}/page").get_data(as_text=True)


def _store_earlier_releases(app, client) -> None:
    """The fixture documents of earlier releases (model 1), stored for the client's tenant."""
    key = client.environ_base["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    tenant = keys.authenticate(key, app.extensions["hiremix"].sessions).tenant_id
    with app.extensions["hiremix"].sessions.begin() as session:
        session.add_all([record(document, tenant) for document in every_document()])


def test_values_are_in_words_not_codes(client):
    html = _page(client, stage="series_b", business_model="b2b_saas", product_complexity="very_high",
                 priorities=["ship_fast", "reliability"], customer_access="direct")
    for words in ("<strong>Company stage</strong>: Series B", "<strong>Business model</strong>: B2B SaaS",
                  "<strong>Product complexity</strong>: Very high", "Ship fast, Reliability",
                  "<dd>Direct: engineers talk to customers</dd>", "<strong>Engineers today</strong>: 6"):
        assert words in html, words
    for code in ("series_b", "b2b_saas", "very_high", "ship_fast", "product_engineers", "software_engineers"):
        assert code not in html, code


def test_the_legend_and_units_come_before_the_chart(client):
    html = _page(client)
    legend = html.index('id="how-to-read"')
    assert legend < html.index('id="contributions"')
    assert "log-odds" in html[legend:html.index('id="contributions"')]
    assert "Bars to the right favour" not in html  # the old legend, after the chart, is gone


def test_what_would_change_it_is_there_even_when_nothing_would(client, app):
    _store_earlier_releases(app, client)
    for document in every_document():
        html = client.get(f"/v1/recommendations/{document['id']}/page").get_data(as_text=True)
        assert html.count('<td class="factor">') == len(document["factors"]), document["id"]
        assert "<h2>What would change it</h2>" in html and 'id="what-would-change-note"' in html
        if not document.get("what_would_change"):
            assert "No single change of one factor would change the recommendation." in html
            assert 'id="what-would-change"' not in html
        else:
            assert html.count("the answer would be") == len(document["what_would_change"])


def test_a_keyed_page_links_its_icon_and_carries_its_styles(client, anonymous):
    html = _page(client)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert result_page.STYLESHEET.read_text().strip()[:200] in html  # inline: one file, also when saved
    for path, kind in (("/static/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/vnd.microsoft.icon"),
                       ("/static/result.css", "text/css")):
        served = anonymous.get(path)  # without a key, for the share link's page too
        assert served.status_code == 200 and served.mimetype == kind, path


CONSOLE_PAGE = """{% extends "recommendation.html" %}
{% block head %}<meta name="test-head">{% endblock %}
{% block body_class %}console{% endblock %}
{% block header %}<nav id="test-nav">{{ extra }}</nav>{% endblock %}
{% block actions %}<button id="test-save" type="button">Save</button>{% endblock %}
{% block after %}<section id="test-more"></section>{% endblock %}"""


def test_a_page_that_extends_it_fills_its_blocks_in_their_places(app, client):
    created = client.post("/v1/recommendations", json=VALID).get_json()
    app.jinja_env.loader = ChoiceLoader([DictLoader({"test-console.html": CONSOLE_PAGE}), app.jinja_env.loader])
    with app.test_request_context("/"):
        html = result_page.render(created, template="test-console.html", extra="from the view")
    order = [html.index(mark) for mark in ('<meta name="test-head">', "</head>", '<body class="console">',
                                           '<nav id="test-nav">from the view</nav>', "<main", 'id="print"',
                                           'id="test-save"', 'id="verdict"', 'id="test-more"', "<footer>")]
    assert order == sorted(order)
