"""Hiremix-Version on every answer, pinning and unknown versions; strong ETags and 304; the CSV export and
the result page as their own operations, and the deprecated Accept way to them; CORS that varies on Origin."""

import datetime as dt
import re

import pytest
from werkzeug.http import parse_date

from service import create_app
from service.http.versions import CURRENT, VERSIONS
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client

ORIGIN = "https://ats.example.com"


def test_every_answer_names_the_version_it_follows(client, anonymous):
    answers = [client.post("/v1/recommendations", json=VALID), client.get("/v1/recommendations"),
               client.get("/v1/nothing"), client.post("/v1/recommendations", json={}), anonymous.get("/healthz"),
               anonymous.get("/v1/recommendations"), anonymous.get("/openapi.json")]
    assert [answer.headers["Hiremix-Version"] for answer in answers] == [CURRENT] * len(answers)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_request_may_pin_a_served_version(client, version):
    answer = client.post("/v1/recommendations/preview", json=VALID, headers={"Hiremix-Version": f" {version} "})
    assert answer.status_code == 200 and answer.headers["Hiremix-Version"] == version
    assert "Hiremix-Version" in answer.vary  # a shared cache keeps one copy per pin
    assert client.post("/v1/recommendations/preview", json=VALID).headers["Hiremix-Version"] == CURRENT


@pytest.mark.parametrize("version", ["2026-11-27", "2025-01-01", "latest", "", "x" * 300])
def test_an_unknown_version_is_a_400_naming_the_served_ones_and_stores_nothing(client, stored_count, version):
    answer = client.post("/v1/recommendations", json=VALID, headers={"Hiremix-Version": version})
    body = problem(answer, 400, "unsupported_version")
    assert all(served in body["detail"] for served in VERSIONS) and len(body["detail"]) < 200
    assert body["errors"] == [{"pointer": "", "header": "Hiremix-Version", "code": "unsupported_version",
                               "message": f"Send one of {', '.join(VERSIONS)}, or leave the header out for the "
                                          f"newest ({CURRENT})."}]
    assert answer.headers["Hiremix-Version"] == CURRENT
    assert stored_count() == 0


def test_a_stored_recommendation_has_a_strong_etag_and_revalidates_to_304(client):
    created = client.post("/v1/recommendations", json=VALID)
    path = created.headers["Location"]
    first = client.get(path)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag) and first.headers["Cache-Control"] == "private, no-cache"
    assert client.get(path).headers["ETag"] == etag
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b"" and unchanged.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # weak comparison (RFC 9110)
    other = client.get(client.post("/v1/recommendations", json={**VALID, "team_size": 7}).headers["Location"])
    assert other.headers["ETag"] != etag


def test_the_model_card_and_weight_profile_versions_revalidate(client, anonymous):
    model = anonymous.get("/v1/model")
    assert model.headers["Cache-Control"] == "public, max-age=300"
    assert anonymous.get("/v1/model", headers={"If-None-Match": model.headers["ETag"]}).status_code == 304
    version = client.get("/v1/weight-profiles/wp_default/versions/1")
    assert version.status_code == 200 and version.headers["Cache-Control"] == "private, no-cache"
    assert client.get("/v1/weight-profiles/wp_default/versions/1",
                      headers={"If-None-Match": version.headers["ETag"]}).status_code == 304
    assert client.get("/v1/weight-profiles/wp_default/versions/2",
                      headers={"If-None-Match": version.headers["ETag"]}).status_code == 200


def test_a_304_never_skips_the_key_check(client, anonymous):
    path = client.post("/v1/recommendations", json=VALID).headers["Location"]
    etag = client.get(path).headers["ETag"]
    assert anonymous.get(path, headers={"If-None-Match": etag}).status_code == 401


def test_the_export_and_the_page_are_operations_of_their_own(client):
    path = client.post("/v1/recommendations", json={**VALID, "external_id": "REQ-9"}).headers["Location"]
    client.post("/v1/recommendations", json={**VALID, "stage": "public"})
    export = client.get("/v1/recommendations/export?stage=seed")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert len(export.get_data(as_text=True).strip().splitlines()) == 2 and "REQ-9" in export.get_data(as_text=True)
    assert "Deprecation" not in export.headers
    page = client.get(f"{path}/page")
    assert page.status_code == 200 and page.mimetype == "text/html" and "Deprecation" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"
    body = problem(client.get("/v1/recommendations/export?limit=5"), 422, "validation_failed")
    assert body["errors"][0]["parameter"] == "limit"
    assert client.get("/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1zz/page").status_code == 404


def _deprecation(answer):
    since = dt.datetime.fromtimestamp(int(answer.headers["Deprecation"].removeprefix("@")), dt.timezone.utc)
    sunset = parse_date(answer.headers["Sunset"])
    assert since == dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc) and sunset > since
    return answer.headers["Link"]


def test_the_accept_way_still_works_and_says_it_is_deprecated(client):
    path = client.post("/v1/recommendations", json=VALID).headers["Location"]
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and _deprecation(html) == f'<{path}/page>; rel="successor-version"'
    csv = client.get("/v1/recommendations?stage=seed", headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv"
    assert _deprecation(csv) == '</v1/recommendations/export>; rel="successor-version"'
    json_answer = client.get(path)
    assert "Deprecation" not in json_answer.headers and "Sunset" not in json_answer.headers


@pytest.fixture
def cors_client(database_url, api_key):
    allowed = create_app({"DATABASE_URL": database_url, "HIREMIX_CORS_ORIGINS": ORIGIN})
    yield keyed_client(allowed, api_key)
    allowed.extensions["hiremix"].engine.dispose()


@pytest.mark.parametrize("origin", [ORIGIN, "https://evil.example", None])
def test_with_cors_on_every_answer_varies_on_origin(cors_client, origin):
    headers = {"Origin": origin} if origin else {}
    answer = cors_client.get("/v1/recommendations", headers=headers)
    assert "Origin" in answer.vary and "Accept" in answer.vary
    # Flask-CORS names the one allowed origin even to a request without Origin; never another one.
    assert answer.headers.get("Access-Control-Allow-Origin") == (None if origin and origin != ORIGIN else ORIGIN)
    exposed = answer.headers.get("Access-Control-Expose-Headers", "")
    if origin == ORIGIN:
        assert {"Hiremix-Version", "ETag", "Deprecation", "Sunset"} <= {h.strip() for h in exposed.split(",")}


@pytest.mark.parametrize(("path", "method", "allowed"), [
    ("/v1/recommendations", "POST", "GET, POST"),
    ("/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za", "DELETE", "DELETE, GET"),
    ("/v1/recommendations/rec_01jdk5m7c2v8q4x6r9t3w0y1za", "PUT", None),
    ("/v1/recommendations", "DELETE", None),
    ("/v1/model", "GET", "GET"),
])
def test_a_preflight_allows_only_the_methods_of_the_path(cors_client, path, method, allowed):
    answer = cors_client.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method,
                                                "Access-Control-Request-Headers": "hiremix-version, if-none-match"},
                                 environ_overrides={"HTTP_AUTHORIZATION": ""})
    assert answer.headers.get("Access-Control-Allow-Methods") == allowed
    if allowed:
        assert answer.headers["Access-Control-Allow-Headers"].lower() == "hiremix-version, if-none-match"
