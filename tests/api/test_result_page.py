"""GET /v1/recommendations/{id} as a page for people (Accept: text/html), with the JSON's tenant rules."""

import re

from tests.api.conftest import VALID, problem

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


def test_docs_are_served_from_this_server_and_the_root_leads_there(anonymous):
    assert anonymous.get("/").headers["Location"].endswith("/docs")
    html = anonymous.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/docs/assets/") for asset in assets), assets
    for asset in assets:
        assert anonymous.get(asset).status_code == 200, asset
    assert 'url: "/openapi.json"' in html
