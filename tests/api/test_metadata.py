"""`metadata` on recommendations (create, preview, batch, search, CSV) and on weight profiles."""

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from service.orm import RecommendationMetadataRecord
from tests.api.conftest import VALID, problem, validator

TEAM = {"team": "platform", "region": "emea"}


def ids(response):
    return [item["id"] for item in response.get_json()["data"]]


def metadata_rows(sessions):
    with sessions() as session:
        rows = session.execute(select(RecommendationMetadataRecord)).scalars().all()
        return sorted((row.recommendation_id, row.key, row.value) for row in rows)


def pointers(response):
    return [(error["pointer"], error["code"]) for error in response.get_json()["errors"]]


# --- on a recommendation ------------------------------------------------------------------------------------------


def test_metadata_is_stored_sorted_by_key_and_returned_as_stored(client, sessions):
    created = client.post("/v1/recommendations", json={**VALID, "metadata": {"team": "platform", "region": "emea",
                                                                              "cost.centre": "", "a:b-c_d": "x y"}})
    assert created.status_code == 201
    body = created.get_json()
    assert list(body["profile"]["metadata"].items()) == [("a:b-c_d", "x y"), ("cost.centre", ""), ("region", "emea"),
                                                         ("team", "platform")]
    assert list(body["profile"])[-1] == "metadata"
    fetched = client.get(f"/v1/recommendations/{body['id']}")
    assert fetched.get_data() == created.get_data()
    assert metadata_rows(sessions) == [(body["id"], "a:b-c_d", "x y"), (body["id"], "cost.centre", ""),
                                       (body["id"], "region", "emea"), (body["id"], "team", "platform")]


@pytest.mark.parametrize("given", [{}, {"metadata": None}, {"metadata": {}}])
def test_no_metadata_is_an_empty_object(client, sessions, given):
    body = client.post("/v1/recommendations", json={**VALID, **given}).get_json()
    assert body["profile"]["metadata"] == {}
    assert metadata_rows(sessions) == []


def test_the_preview_carries_the_metadata_and_stores_nothing(client, sessions, stored_count):
    preview = client.post("/v1/recommendations/preview", json={**VALID, "metadata": TEAM})
    assert preview.status_code == 200
    assert preview.get_json()["profile"]["metadata"] == {"region": "emea", "team": "platform"}
    assert client.post("/v1/recommendations/preview", json=VALID).get_json()["profile"]["metadata"] == {}
    assert stored_count() == 0 and metadata_rows(sessions) == []


def test_twenty_keys_of_forty_characters_and_values_of_500_are_accepted(client):
    metadata = {f"{n:02d}" + "k" * 38: "v" * 500 for n in range(20)}
    created = client.post("/v1/recommendations", json={**VALID, "metadata": metadata})
    assert created.status_code == 201
    assert created.get_json()["profile"]["metadata"] == metadata


@pytest.mark.parametrize(("metadata", "expected"), [
    ({f"k{n}": "v" for n in range(21)}, [("/metadata", "invalid_length")]),
    ({"a b": "x"}, [("/metadata/a b", "invalid_format")]),
    ({"": "x"}, [("/metadata/", "invalid_format")]),
    ({"k" * 41: "x"}, [("/metadata/" + "k" * 41, "invalid_format")]),
    ({"team[0]": "x"}, [("/metadata/team[0]", "invalid_format")]),
    ({"équipe": "x"}, [("/metadata/équipe", "invalid_format")]),
    ({"a/b": "x"}, [("/metadata/a~1b", "invalid_format")]),
    ({"team": 7}, [("/metadata/team", "invalid_type")]),
    ({"team": None}, [("/metadata/team", "invalid_type")]),
    ({"team": ["a"]}, [("/metadata/team", "invalid_type")]),
    ({"team": "v" * 501}, [("/metadata/team", "invalid_length")]),
    ({"team": "line\nbreak"}, [("/metadata/team", "invalid_format")]),
    ({"team": "nul\u0000"}, [("/metadata/team", "invalid_format")]),
    ({"team": "c1\u0085"}, [("/metadata/team", "invalid_format")]),
    ({"ok": "x", "bad key": 1, "team": 2},
     [("/metadata/bad key", "invalid_format"), ("/metadata/team", "invalid_type")]),
    (["team"], [("/metadata", "invalid_type")]),
    ("team=platform", [("/metadata", "invalid_type")]),
])
def test_bad_metadata_is_422_naming_the_key_and_nothing_is_stored(client, sessions, stored_count, metadata, expected):
    response = client.post("/v1/recommendations", json={**VALID, "metadata": metadata})
    problem(response, 422, "validation_failed")
    assert sorted(pointers(response)) == sorted(expected)
    assert stored_count() == 0 and metadata_rows(sessions) == []


def test_a_huge_metadata_object_costs_one_error_and_is_not_echoed(client):
    metadata = {f"bad key {n}": n for n in range(600)}  # 1,200 mistakes, within the 16 KiB a profile may have
    response = client.post("/v1/recommendations", json={**VALID, "metadata": metadata})
    problem(response, 422, "validation_failed")
    assert pointers(response) == [("/metadata", "invalid_length")]
    assert response.get_json()["errors"][0]["message"] == "Give at most 20 keys; this object has 600."


def test_a_long_bad_key_is_echoed_only_so_far(client):
    key = "é" * 5000
    response = client.post("/v1/recommendations", content_type="application/json",
                           data=json.dumps({**VALID, "metadata": {key: "x"}}, ensure_ascii=False).encode())
    [error] = response.get_json()["errors"]
    assert error["pointer"] == "/metadata/" + "é" * 10 + "\u2026"  # 64 bytes once JSON escapes them
    assert key[:100] not in response.get_data(as_text=True)
    assert len(response.get_data()) < 1500


def test_the_same_metadata_in_another_order_is_the_same_idempotent_request(client, stored_count):
    key = {"Idempotency-Key": "metadata-order-1"}
    first = client.post("/v1/recommendations", json={**VALID, "metadata": {"a": "1", "b": "2"}}, headers=key)
    again = client.post("/v1/recommendations", json={**VALID, "metadata": {"b": "2", "a": "1"}}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_data() == first.get_data()
    assert stored_count() == 1


def test_a_batch_stores_each_items_metadata_and_refuses_a_bad_one_alone(client, sessions):
    response = client.post("/v1/recommendations/batch", json={"items": [
        {**VALID, "metadata": {"team": "platform"}},
        {**VALID, "metadata": {"team": 1}},
        {**VALID, "team_size": 7},
    ]})
    body = response.get_json()
    assert response.status_code == 200 and (body["stored"], body["failed"]) == (2, 1)
    first, refused, third = body["items"]
    assert first["recommendation"]["profile"]["metadata"] == {"team": "platform"}
    assert third["recommendation"]["profile"]["metadata"] == {}
    assert [(e["pointer"], e["code"]) for e in refused["problem"]["errors"]] == [("/metadata/team", "invalid_type")]
    assert metadata_rows(sessions) == [(first["recommendation"]["id"], "team", "platform")]
    assert ids(client.get("/v1/recommendations?metadata[team]=platform")) == [first["recommendation"]["id"]]


def test_deleting_a_recommendation_erases_its_metadata_rows(client, sessions):
    kept = client.post("/v1/recommendations", json={**VALID, "metadata": {"team": "a"}}).get_json()["id"]
    gone = client.post("/v1/recommendations", json={**VALID, "metadata": {"team": "b", "x": "y"}}).get_json()["id"]
    assert client.delete(f"/v1/recommendations/{gone}").status_code == 204
    assert metadata_rows(sessions) == [(kept, "team", "a")]


# --- search -------------------------------------------------------------------------------------------------------


@pytest.fixture
def tagged(create):
    """Five stored recommendations, oldest first, with metadata to search."""
    return [create(team_size=1, metadata={"team": "platform", "region": "emea"}).get_json()["id"],
            create(team_size=2, metadata={"team": "platform", "region": "amer"}).get_json()["id"],
            create(team_size=3, metadata={"team": "growth", "region": "emea"}).get_json()["id"],
            create(team_size=4, metadata={"team": "platform", "region": "emea", "level": ""}).get_json()["id"],
            create(team_size=5).get_json()["id"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("metadata[team]=platform", [3, 1, 0]),
    ("metadata[team]=platform&metadata[region]=emea", [3, 0]),
    ("metadata[region]=emea&metadata[team]=growth", [2]),
    ("metadata[team]=Platform", []),
    ("metadata[team]=platfor", []),
    ("metadata[level]=", [3]),
    ("metadata[nothing]=x", []),
    ("metadata%5Bteam%5D=growth", [2]),
    ("metadata[team]=platform&stage=seed", [3, 1, 0]),
    ("metadata[team]=platform&metadata[region]=emea&stage=public", []),
])
def test_metadata_filters_match_exactly_and_combine_with_and(client, tagged, query, expected):
    response = client.get(f"/v1/recommendations?{query}")
    assert response.status_code == 200
    assert ids(response) == [tagged[n] for n in expected]


def test_metadata_search_pages_and_the_link_keeps_the_filters(client, create):
    made = [create(team_size=n, metadata={"team": "platform", "region": "emea"}).get_json()["id"] for n in range(5)]
    create(team_size=9, metadata={"team": "platform", "region": "amer"})
    first = client.get("/v1/recommendations?limit=2&metadata[team]=platform&metadata[region]=emea")
    assert ids(first) == made[::-1][:2]
    url = first.headers["Link"].split(";")[0].strip("<> ")
    assert parse_qs(urlsplit(url).query) == {"limit": ["2"], "metadata[team]": ["platform"],
                                             "metadata[region]": ["emea"], "cursor": [first.get_json()["next_cursor"]]}
    second = client.get(url)
    third = client.get(second.headers["Link"].split(";")[0].strip("<> "))
    assert ids(second) == made[::-1][2:4] and ids(third) == made[::-1][4:]
    assert third.get_json()["has_more"] is False and "Link" not in third.headers


def test_metadata_search_sees_only_the_tenants_own(client, app, new_key, create):
    mine = create(metadata={"team": "platform"}).get_json()["id"]
    other = app.test_client()
    other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {new_key('tenant b')}"
    theirs = other.post("/v1/recommendations", json={**VALID, "metadata": {"team": "platform"}}).get_json()["id"]
    assert ids(client.get("/v1/recommendations?metadata[team]=platform")) == [mine]
    assert ids(other.get("/v1/recommendations?metadata[team]=platform")) == [theirs]


def test_twenty_metadata_filters_are_allowed(client, create):
    metadata = {f"k{n}": str(n) for n in range(20)}
    made = create(metadata=metadata).get_json()["id"]
    create(metadata={**metadata, "k19": "other"})
    query = "&".join(f"metadata[{key}]={value}" for key, value in metadata.items())
    assert ids(client.get(f"/v1/recommendations?{query}")) == [made]


@pytest.mark.parametrize(("query", "expected"), [
    ("&".join(f"metadata[k{n}]=v" for n in range(21)), ("/metadata", "invalid_length", "metadata")),
    ("metadata[a%20b]=x", ("/metadata/a b", "invalid_format", "metadata")),
    ("metadata[]=x", ("/metadata/", "invalid_format", "metadata")),
    ("metadata[a][b]=x", ("/metadata/a][b", "invalid_format", "metadata")),
    ("metadata[" + "k" * 41 + "]=x", ("/metadata/" + "k" * 41, "invalid_format", "metadata")),
    ("metadata[team]=a%0Ab", ("/metadata/team", "invalid_format", "metadata")),
    ("metadata[team]=" + "v" * 501, ("/metadata/team", "invalid_length", "metadata")),
    ("metadata[team]=a&metadata[team]=b", ("/metadata/team", "repeated_parameter", "metadata")),
    ("metadata=platform", ("/metadata", "invalid_type", "metadata")),
    ("metadata=platform&metadata[team]=x", ("/metadata", "invalid_type", "metadata")),
    ("metadata[team=x", ("/metadata[team", "unknown_field", "metadata[team")),
    ("metadata.team=x", ("/metadata.team", "unknown_field", "metadata.team")),
])
def test_bad_metadata_filters_are_422_naming_the_parameter(client, query, expected):
    for path in ("/v1/recommendations", "/v1/recommendations/export"):
        response = client.get(f"{path}?{query}")
        problem(response, 422, "validation_failed")
        assert [(e["pointer"], e["code"], e["parameter"]) for e in response.get_json()["errors"]] == [expected]


def test_a_long_bad_filter_key_is_echoed_only_so_far(client):
    response = client.get("/v1/recommendations?metadata[" + "x" * 3000 + "]=1&" + "y" * 3000 + "=2")
    problem(response, 422, "validation_failed")
    assert len(response.get_data()) < 2000
    assert all(len(e["pointer"]) <= 80 and len(e.get("parameter", "")) <= 80 for e in response.get_json()["errors"])


def test_the_export_has_the_metadata_filter_and_column(client, tagged):
    response = client.get("/v1/recommendations/export?metadata[team]=platform&metadata[region]=emea")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-1] == "metadata" and len(rows) == 3
    assert [row[0] for row in rows[1:]] == [tagged[3], tagged[0]]
    assert [row[-1] for row in rows[1:]] == ['{"level":"","region":"emea","team":"platform"}',
                                             '{"region":"emea","team":"platform"}']
    everything = list(csv.reader(io.StringIO(client.get("/v1/recommendations/export").get_data(as_text=True))))
    assert everything[1][-1] == "{}"  # none given


def test_metadata_text_is_exported_as_compact_json_as_is(client):
    client.post("/v1/recommendations", json={**VALID, "metadata": {"note": "=SUM(A1) \"quoted\", é ✓"}})
    text = client.get("/v1/recommendations/export").get_data(as_text=True)
    cell = list(csv.reader(io.StringIO(text)))[1][-1]
    assert cell == '{"note":"=SUM(A1) \\"quoted\\", é ✓"}' and json.loads(cell) == {"note": "=SUM(A1) \"quoted\", é ✓"}


# --- CSV import ---------------------------------------------------------------------------------------------------


def _csv_batch(client, text):
    return client.post("/v1/recommendations/batch", data=text, content_type="text/csv")


def test_csv_import_reads_metadata_columns(client, sessions):
    response = _csv_batch(client, "stage,team_size,product_complexity,business_model,metadata.team,"
                                  "metadata.cost:centre\r\n"
                                  "seed,6,low,b2b_saas,platform,CC-7\r\n"
                                  "seed,7,low,b2b_saas,,\r\n"
                                  "seed,8,low,b2b_saas, growth ,\r\n")
    body = response.get_json()
    assert response.status_code == 200 and body["failed"] == 0
    assert [item["recommendation"]["profile"]["metadata"] for item in body["items"]] == [
        {"cost:centre": "CC-7", "team": "platform"}, {}, {"team": "growth"}]
    first = body["items"][0]["recommendation"]["id"]
    assert ids(client.get("/v1/recommendations?metadata[cost:centre]=CC-7")) == [first]
    assert len(metadata_rows(sessions)) == 3


def test_csv_import_refuses_a_bad_metadata_value_in_its_row_only(client):
    response = _csv_batch(client, "stage,team_size,product_complexity,business_model,metadata.team\r\n"
                                  f"seed,6,low,b2b_saas,{'v' * 501}\r\n"
                                  "seed,6,low,b2b_saas,ok\r\n")
    body = response.get_json()
    assert (body["stored"], body["failed"]) == (1, 1)
    assert [(e["pointer"], e["code"]) for e in body["items"][0]["problem"]["errors"]] == [
        ("/metadata/team", "invalid_length")]


@pytest.mark.parametrize(("header", "expected"), [
    ("metadata.a b", ("/header/4", "invalid_format")),
    ("metadata.", ("/header/4", "invalid_format")),
    ("metadata." + "k" * 41, ("/header/4", "invalid_format")),
    ("metadata", ("/header/4", "unknown_field")),
    ("metadata.team,metadata.team", ("/header/5", "duplicate_item")),
    (",".join(f"metadata.k{n}" for n in range(21)), ("/header", "invalid_length")),
])
def test_csv_import_refuses_a_bad_metadata_header(client, stored_count, header, expected):
    cells = ",".join("x" for _ in header.split(","))
    response = _csv_batch(client, f"stage,team_size,product_complexity,business_model,{header}\r\n"
                                  f"seed,6,low,b2b_saas,{cells}\r\n")
    problem(response, 422, "validation_failed")
    assert expected in pointers(response)
    assert stored_count() == 0


def test_csv_import_takes_twenty_metadata_columns(client):
    header = ",".join(f"metadata.k{n}" for n in range(20))
    response = _csv_batch(client, f"stage,team_size,product_complexity,business_model,{header}\r\n"
                                  f"seed,6,low,b2b_saas,{','.join(str(n) for n in range(20))}\r\n")
    assert response.status_code == 200 and response.get_json()["stored"] == 1
    assert response.get_json()["items"][0]["recommendation"]["profile"]["metadata"] == {
        f"k{n}": str(n) for n in sorted(range(20), key=lambda n: f"k{n}")}


# --- weight profiles ----------------------------------------------------------------------------------------------


def _version(client, profile_id, number):
    return client.get(f"/v1/weight-profiles/{profile_id}/versions/{number}")


def test_a_weight_profile_keeps_metadata_per_version(client):
    created = client.post("/v1/weight-profiles", json={"name": "Ours", "metadata": {"owner": "hr", "a": "1"}})
    assert created.status_code == 201
    profile = created.get_json()
    assert list(profile["metadata"].items()) == [("a", "1"), ("owner", "hr")]
    first = _version(client, profile["id"], 1)
    assert first.get_json() == profile

    def add(**body):
        response = client.post(f"/v1/weight-profiles/{profile['id']}/versions", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    assert add(thresholds={"upper": 0.7})["metadata"] == {"a": "1", "owner": "hr"}  # v2 inherits
    assert add(metadata={"owner": "finance"})["metadata"] == {"owner": "finance"}  # v3 replaces
    assert add(name="Renamed")["metadata"] == {"owner": "finance"}  # v4 inherits v3's
    assert add(metadata={})["metadata"] == {}  # v5 clears
    assert add()["metadata"] == {}  # v6 inherits nothing
    assert [v["metadata"] for v in client.get(f"/v1/weight-profiles/{profile['id']}/versions").get_json()["data"]] == [
        {}, {}, {"owner": "finance"}, {"owner": "finance"}, {"a": "1", "owner": "hr"}, {"a": "1", "owner": "hr"}]
    again = _version(client, profile["id"], 1)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert client.get(f"/v1/weight-profiles/{profile['id']}").get_json()["metadata"] == {}
    assert client.get("/v1/weight-profiles").get_json()["data"][0]["metadata"] == {}


def test_every_weight_profile_document_carries_metadata(client, spec):
    made = client.post("/v1/weight-profiles", json={"name": "No metadata"}).get_json()
    assert made["metadata"] == {}
    built_in = client.get("/v1/weight-profiles/wp_default").get_json()
    assert built_in["metadata"] == {}
    versions = client.get("/v1/weight-profiles/wp_default/versions").get_json()["data"]
    assert [v["metadata"] for v in versions] == [{}, {}]
    for document in (made, built_in):
        validator(spec, "WeightProfile").validate(document)
    assert "metadata" in spec["components"]["schemas"]["WeightProfile"]["required"]


@pytest.mark.parametrize("metadata", [{"a b": "x"}, {f"k{n}": "v" for n in range(21)}, {"team": 1}, None, "x"])
def test_bad_weight_profile_metadata_is_422_and_nothing_is_stored(client, metadata):
    response = client.post("/v1/weight-profiles", json={"name": "Bad", "metadata": metadata})
    problem(response, 422, "validation_failed")
    assert all(e["pointer"].startswith("/metadata") for e in response.get_json()["errors"])
    assert client.get("/v1/weight-profiles").get_json()["data"] == []
    made = client.post("/v1/weight-profiles", json={"name": "Good", "metadata": {"k": "v"}}).get_json()
    refused = client.post(f"/v1/weight-profiles/{made['id']}/versions", json={"metadata": metadata})
    problem(refused, 422, "validation_failed")
    assert client.get(f"/v1/weight-profiles/{made['id']}").get_json()["version"] == 1


def test_simulations_with_an_inline_draft_behave_as_before(client, create):
    create(metadata={"team": "platform"})
    draft = client.post("/v1/simulations", json={"weight_profile": {"thresholds": {"lower": 0.3, "upper": 0.45}}})
    assert draft.status_code == 200 and draft.get_json()["evaluated"] == 1
    # A draft is the body one would save, so it may carry metadata; it is validated as there, and not stored.
    assert client.post("/v1/simulations", json={"weight_profile": {"metadata": {"a": "b"}}}).status_code == 200
    refused = client.post("/v1/simulations", json={"weight_profile": {"metadata": {"a b": "c"}}})
    problem(refused, 422, "validation_failed")
    assert pointers(refused)[0][0].startswith("/weight_profile/metadata")
    stored = client.post("/v1/weight-profiles", json={"name": "Tagged", "metadata": {"a": "b"}}).get_json()
    by_id = client.post("/v1/simulations", json={"weight_profile_id": stored["id"],
                                                 "profiles": [{**VALID, "metadata": {"team": "x"}}]})
    assert by_id.status_code == 200 and by_id.get_json()["evaluated"] == 1


# --- the document -------------------------------------------------------------------------------------------------


def test_the_metadata_filter_is_one_deep_object_parameter(spec):
    for path in ("/v1/recommendations", "/v1/recommendations/export"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"] if "name" in p}
        metadata = parameters["metadata"]
        assert (metadata["in"], metadata["style"], metadata["explode"], metadata["required"]) == (
            "query", "deepObject", True, False)
        assert metadata["schema"]["type"] == "object" and metadata["schema"]["maxProperties"] == 20
        assert metadata["schema"]["additionalProperties"]["type"] == "string"
        assert metadata["schema"]["propertyNames"] == {"pattern": "^[A-Za-z0-9_.:-]{1,40}$"}
        assert not any(name.startswith("metadata[") for name in parameters)
        assert parameters["current"]["schema"] == {"type": "boolean"}


def test_the_profile_schema_documents_metadata_as_validated(spec):
    field = spec["components"]["schemas"]["CompanyProfile"]["properties"]["metadata"]
    assert field["type"] == ["object", "null"] and field["maxProperties"] == 20
    assert field["additionalProperties"]["maxLength"] == 500
    assert "metadata" not in spec["components"]["schemas"]["CompanyProfile"].get("required", [])
    check = validator(spec, "CompanyProfile")
    assert check.is_valid({**VALID, "metadata": {"team": "platform"}})
    assert not check.is_valid({**VALID, "metadata": {"a b": "x"}})
    assert not check.is_valid({**VALID, "metadata": {"team": 1}})
    assert not check.is_valid({**VALID, "metadata": {f"k{n}": "v" for n in range(21)}})



def test_the_documented_rules_are_the_enforced_ones(spec):
    """Every key and value the document's metadata schema allows is accepted, and every one it refuses is refused
    (the patterns read as JavaScript reads them, where `$` is the very end)."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from marshmallow import ValidationError

    from schemas.fields import Metadata

    field = spec["components"]["schemas"]["CompanyProfile"]["properties"]["metadata"]
    key_pattern = re.compile(field["propertyNames"]["pattern"][1:-1])
    value_rule = field["additionalProperties"]
    value_pattern = re.compile(value_rule["pattern"][1:-1])
    loader = Metadata()

    def documented(key: str, value: str) -> bool:
        return (key_pattern.fullmatch(key) is not None and len(value) <= value_rule["maxLength"]
                and value_pattern.fullmatch(value) is not None)

    @given(st.one_of(st.text(max_size=45), st.sampled_from(["a.b:c-d_e", "k" * 40, "k" * 41, "a b", "é"])),
           st.one_of(st.text(max_size=20), st.sampled_from(["", " ", "\n", "\x85", "\u2028", "x" * 500, "x" * 501])))
    @settings(max_examples=300, deadline=None)
    def agrees(key, value):
        try:
            loader.deserialize({key: value})
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == documented(key, value), (key, value)

    agrees()


def test_weight_profiles_are_searchable_by_their_latest_versions_metadata(client):
    def names(query):
        response = client.get(f"/v1/weight-profiles?{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(item["name"] for item in response.get_json()["data"])

    talent = client.post("/v1/weight-profiles", json={"name": "A", "metadata": {"owner": "talent", "region": "emea"}})
    client.post("/v1/weight-profiles", json={"name": "B", "metadata": {"owner": "talent"}})
    client.post("/v1/weight-profiles", json={"name": "C"})
    assert names("metadata%5Bowner%5D=talent") == ["A", "B"]
    assert names("metadata%5Bowner%5D=talent&metadata%5Bregion%5D=emea") == ["A"]
    assert names("metadata%5Bowner%5D=nobody") == []
    # A new version without the key no longer matches: the latest version's metadata counts.
    client.post(f"/v1/weight-profiles/{talent.get_json()['id']}/versions", json={"metadata": {"owner": "platform"}})
    assert names("metadata%5Bowner%5D=talent") == ["B"]
    refused = client.get("/v1/weight-profiles?metadata%5Bbad%20key%5D=x")
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["parameter"] == "metadata"
    assert client.get(f"/v1/weight-profiles/{talent.get_json()['id']}/versions?metadata%5Bowner%5D=x").status_code == 422
