"""Security headers: nosniff everywhere; a strict CSP, no framing, no referrer on the HTML pages."""

import re

from tests.api.conftest import VALID


def test_the_docs_page_allows_only_its_own_nonced_script(anonymous):
    response = anonymous.get("/docs")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "unsafe-eval" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["X-Frame-Options"] == "DENY"
    assert "onclick=" not in page
    assert anonymous.get("/docs").headers["Content-Security-Policy"] != policy  # a new nonce per page


def test_the_result_page_has_no_inline_handlers_and_a_policy(client, create):
    created = create().get_json()
    page = client.get(f"/v1/recommendations/{created['id']}", headers={"Accept": "text/html"})
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert not re.search(r"<[^>]+\son[a-z]+=", page.get_data(as_text=True))


def test_every_answer_says_nosniff(client, anonymous):
    assert client.post("/v1/recommendations/preview", json=VALID).headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get("/healthz").headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in anonymous.get("/healthz").headers
