"""Every document the service has ever stored validates against today's response schema, and is returned
byte for byte as it was stored, alone or in a page beside new ones (fixtures: tests/fixtures/stored.py)."""

import json

import pytest

from service.orm import RecommendationRecord
from service.recommendations import to_json
from tests.api.conftest import VALID, validator
from tests.fixtures.stored import SHAPES, documents, every_document, record

LATER_FIELDS = {"what_would_change", "role_profiles", "growth_engineering", "scorecard", "note_text"}


@pytest.fixture
def stored(app, client):
    """The fixture documents stored for the client's tenant, as the earlier releases stored them."""
    tenant = _tenant(app, client)
    with app.extensions["hiremix"].sessions.begin() as session:
        session.add_all([record(document, tenant) for document in every_document()])
    return every_document()


def _tenant(app, client):
    from service import keys

    key = client.environ_base["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    return keys.authenticate(key, app.extensions["hiremix"].sessions).tenant_id


@pytest.mark.parametrize("shape", SHAPES)
def test_every_stored_shape_validates_against_the_response_schema(spec, shape):
    for document in documents(shape):
        validator(spec, "Recommendation").validate(document)


def test_the_first_release_lacks_what_was_added_since(spec):
    first = documents("first_release")[0]
    assert not LATER_FIELDS & set(first)
    required = set(spec["components"]["schemas"]["Recommendation"]["required"])
    assert not LATER_FIELDS & required, "a field added after the first release is required"
    assert {"id", "created_at", "profile", "recommendation", "factors", "model"} <= required


def test_the_schema_still_refuses_what_no_release_wrote(spec):
    broken = {key: value for key, value in documents("first_release")[0].items() if key != "factors"}
    assert not validator(spec, "Recommendation").is_valid(broken)


def test_old_documents_come_back_byte_for_byte_and_page_beside_new_ones(client, spec, stored):
    created = client.post("/v1/recommendations", json=VALID).get_json()
    for document in stored:
        response = client.get(f"/v1/recommendations/{document['id']}")
        assert response.status_code == 200 and response.get_data(as_text=True) == to_json(document)
    # An old pin changes nothing in a stored body.
    pinned = client.get(f"/v1/recommendations/{stored[0]['id']}", headers={"Hiremix-Version": "2026-11-26"})
    assert pinned.get_data(as_text=True) == to_json(stored[0]) and pinned.headers["Hiremix-Version"] == "2026-11-26"

    page = client.get("/v1/recommendations?limit=100").get_json()
    validator(spec, "RecommendationPage").validate(page)
    assert [item["id"] for item in page["data"]][0] == created["id"]
    assert {item["id"] for item in page["data"]} == {created["id"], *(d["id"] for d in stored)}
    csv = client.get("/v1/recommendations/export").get_data(as_text=True)
    assert all(document["id"] in csv for document in stored)


def test_rows_hold_the_compact_form_every_release_has_written(stored):
    """The fixture files are pretty-printed for reading; a row holds the compact JSON (no spaces, UTF-8 as is)
    that the storing code has written since the first release, so the bytes served above are those bytes."""
    row = record(stored[0], "ten_x")
    assert isinstance(row, RecommendationRecord) and json.loads(row.document) == stored[0]
    assert row.document.startswith('{"id":"rec_') and ", " not in row.document[:60]
