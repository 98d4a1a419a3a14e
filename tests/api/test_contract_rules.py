"""Rules that the OpenAPI document states and the service must keep exactly: anything the document
calls valid is accepted, anything it calls invalid is refused (schemathesis checks the same from outside)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas.fields import PLAIN_TEXT_PATTERN, plain_text
from service.errors import HiremixError
from service.paging import VERSION_CURSOR, cursor_pattern, decode_position, encode_position
from tests.api.conftest import VALID, problem


def test_plain_text_accepts_exactly_what_the_served_document_allows(client):
    """The company_name rule as served (pattern and lengths) against the service's answer for the same text:
    every text both accept or both refuse. The pattern is matched as JavaScript (and so JSON Schema) reads
    it, where `$` is the very end; Python's jsonschema would also let `$` match before a final newline."""
    document = client.get("/openapi.json").get_json()
    field = document["components"]["schemas"]["CompanyProfile"]["properties"]["company_name"]
    assert field["pattern"].startswith("^") and field["pattern"].endswith("$")
    whole = re.compile(field["pattern"][1:-1])

    def documented(value: str) -> bool:
        return field["minLength"] <= len(value) <= field["maxLength"] and whole.fullmatch(value) is not None

    @given(st.one_of(st.text(max_size=30), st.sampled_from(["\x85", "\ufeff", "\u00a0x", "\u2028", " a ", "\t"])))
    @settings(max_examples=300, deadline=None)
    def agrees(value):
        try:
            plain_text(value)
            accepted = bool(value)  # the empty string is the length check's
        except ValidationError:
            accepted = False
        assert accepted == documented(value), repr(value)

    agrees()


def test_text_fields_carry_the_pattern_in_the_document(client):
    document = client.get("/openapi.json").get_json()
    profile = document["components"]["schemas"]["CompanyProfile"]["properties"]
    assert profile["company_name"]["pattern"] == PLAIN_TEXT_PATTERN
    for bad in ("line\nbreak", "\u0085", "   ", "\ufeff"):
        response = client.post("/v1/recommendations/preview", json={**VALID, "company_name": bad})
        problem(response, 422, "validation_failed")


@given(micros=st.integers(0, 10**16 - 1), suffix=st.text("0123456789abcdefghijklmnopqrstuvwxyz", min_size=26,
                                                         max_size=26))
def test_every_cursor_matching_the_pattern_is_a_position(micros, suffix):
    cursor = f"{micros}.rec_{suffix}"
    assert re.fullmatch(cursor_pattern("rec_")[1:-1], cursor)
    created_at, object_id = decode_position(cursor, "rec_")
    assert (encode_position(created_at, object_id), object_id) == (cursor, f"rec_{suffix}")


def test_cursors_that_do_not_match_are_refused():
    for cursor in ("", "abc", "1.rec_short", "1.wp_" + "a" * 26, "-1.rec_" + "a" * 26, "1" * 17 + ".rec_" + "a" * 26):
        try:
            decode_position(cursor, "rec_")
        except HiremixError as error:
            assert error.status == 422
        else:
            raise AssertionError(cursor)


def test_any_well_formed_cursor_pages_and_a_malformed_one_is_422(client):
    made = [client.post("/v1/recommendations", json=VALID).get_json()["id"] for _ in range(3)]
    far_future = f"{10**16 - 1}.rec_{'z' * 26}"
    assert [r["id"] for r in client.get(f"/v1/recommendations?cursor={far_future}").get_json()["data"]] == made[::-1]
    assert client.get(f"/v1/recommendations?cursor=0.rec_{'0' * 26}").get_json()["data"] == []
    problem(client.get("/v1/recommendations?cursor=bm9uc2Vuc2U"), 422, "validation_failed")
    assert client.get(f"/v1/weight-profiles?cursor={far_future.replace('rec_', 'wp_')}").status_code == 200
    assert re.fullmatch(VERSION_CURSOR[1:-1], "v1234567")


def test_documented_cursor_patterns_are_the_ones_enforced(client):
    document = client.get("/openapi.json").get_json()
    for path, expected in (("/v1/recommendations", cursor_pattern("rec_")),
                           ("/v1/weight-profiles", cursor_pattern("wp_")),
                           ("/v1/weight-profiles/{profile_id}/versions", VERSION_CURSOR)):
        parameters = document["paths"][path]["get"]["parameters"]
        cursor = next(p for p in parameters if p["name"] == "cursor")
        assert cursor["schema"]["pattern"] == expected, path


def test_a_number_with_no_fraction_is_an_integer_as_in_json_schema(client):
    created = client.post("/v1/recommendations", json={**VALID, "team_size": 6.0, "planned_hires": 4.0})
    assert created.status_code == 201
    profile = created.get_json()["profile"]
    assert (profile["team_size"], profile["planned_hires"]) == (6, 4)
    assert isinstance(profile["team_size"], int)
    problem(client.post("/v1/recommendations", json={**VALID, "team_size": 6.5}), 422, "validation_failed")
    problem(client.post("/v1/recommendations", json={**VALID, "team_size": 1e300}), 422, "validation_failed")


def test_the_built_in_profile_cannot_get_versions_and_the_document_says_so(client):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/v1/weight-profiles/{profile_id}/versions"]["post"]
    narrowed = next(p for p in operation["parameters"] if p["in"] == "path")
    assert not re.fullmatch(narrowed["schema"]["pattern"][1:-1], "wp_default")
    problem(client.post("/v1/weight-profiles/wp_default/versions", json={}), 422, "validation_failed")


def test_simulation_drafts_are_one_of_two_in_the_document_too(client):
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["SimulationRequest"]
    assert schema["oneOf"] == [{"required": ["weight_profile"]}, {"required": ["weight_profile_id"]}]
    assert schema["dependentRequired"] == {"weight_profile_version": ["weight_profile_id"]}
