"""POST /v1/recommendations/batch (JSON and CSV) and the CSV export of the list."""

import csv
import io

import pytest

from service import recommendations
from tests.api.conftest import VALID, problem

CSV_HEADERS = {"Content-Type": "text/csv; charset=utf-8"}


def test_a_json_batch_answers_each_item_in_order_and_stores_the_valid_ones(client, stored_count):
    items = [VALID, {**VALID, "stage": "series_z"}, "not an object", {**VALID, "external_id": "REQ-3",
                                                                        "planned_hires": 3}]
    response = client.post("/v1/recommendations/batch", json={"items": items})
    assert response.status_code == 200
    body = response.get_json()
    assert [(item["index"], item["status"]) for item in body["items"]] == [(0, 201), (1, 422), (2, 422), (3, 201)]
    assert (body["stored"], body["failed"]) == (2, 2)
    assert body["items"][1]["problem"]["errors"][0]["pointer"] == "/stage"
    assert body["items"][1]["problem"]["code"] == "validation_failed"
    assert body["items"][2]["problem"]["errors"][0]["code"] == "invalid_type"
    stored = body["items"][3]["recommendation"]
    fetched = client.get(f"/v1/recommendations/{stored['id']}")
    assert fetched.get_json() == stored and stored["headcount"] is not None
    assert stored_count() == 2


def test_a_null_item_is_refused_alone(client):
    body = client.post("/v1/recommendations/batch", json={"items": [None, VALID]}).get_json()
    assert [item["status"] for item in body["items"]] == [422, 201]
    assert body["items"][0]["problem"]["errors"][0]["code"] == "invalid_type"


def test_an_unknown_weight_profile_spoils_only_its_item(client):
    body = client.post("/v1/recommendations/batch",
                       json={"items": [VALID, {**VALID, "weight_profile_id": "wp_nope"}]}).get_json()
    assert [item["status"] for item in body["items"]] == [201, 422]
    assert body["items"][1]["problem"]["errors"][0]["code"] == "unknown_weight_profile"
    assert body["items"][1]["problem"]["errors"][0]["pointer"] == "/weight_profile_id"


@pytest.mark.parametrize(
    ("payload", "pointer", "code"),
    [
        ({"items": []}, "/items", "invalid_length"),
        ({"items": [VALID] * 101}, "/items", "invalid_length"),
        ({}, "/items", "required"),
        ({"items": VALID}, "/items", "invalid_type"),
        ({"items": [VALID], "extra": 1}, "/extra", "unknown_field"),
    ],
)
def test_a_malformed_batch_is_one_422_and_stores_nothing(client, stored_count, payload, pointer, code):
    body = problem(client.post("/v1/recommendations/batch", json=payload), 422, "validation_failed")
    assert (body["errors"][0]["pointer"], body["errors"][0]["code"]) == (pointer, code)
    assert stored_count() == 0


def test_a_batch_of_100_is_accepted(client, stored_count):
    body = client.post("/v1/recommendations/batch", json={"items": [VALID] * 100}).get_json()
    assert body["stored"] == 100 and stored_count() == 100


def test_a_csv_batch_reads_the_header_row_and_semicolon_priorities(client):
    text = ("\ufeffstage,team_size,product_complexity,business_model,priorities,planned_hires,company_name\r\n"
            "seed,6,low,b2b_saas,ship_fast;growth,4,\"Acme, Inc.\"\r\n"
            "public,800,very_high,enterprise_platform,,12,\r\n"
            "seed,six,low,b2b_saas,,,\r\n"
            "\r\n")
    body = client.post("/v1/recommendations/batch", data=text.encode(), headers=CSV_HEADERS).get_json()
    assert [item["status"] for item in body["items"]] == [201, 201, 422]
    first = body["items"][0]["recommendation"]["profile"]
    assert first["priorities"] == ["ship_fast", "growth"] and first["company_name"] == "Acme, Inc."
    assert body["items"][1]["recommendation"]["profile"]["priorities"] == []
    assert body["items"][2]["problem"]["errors"] == [
        {"pointer": "/team_size", "code": "invalid_type", "message": "Expected an integer."}]


def test_a_csv_row_with_more_cells_than_columns_is_refused_alone(client):
    text = "stage,team_size,product_complexity,business_model\nseed,6,low,b2b_saas,surprise\nseed,6,low,b2b_saas\n"
    body = client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS).get_json()
    assert [item["status"] for item in body["items"]] == [422, 201]
    assert body["items"][0]["problem"]["errors"][0]["code"] == "invalid_length"


@pytest.mark.parametrize(
    ("text", "pointer", "code"),
    [
        ("stage,team_size,product_complexity,business_model,colour\nseed,6,low,b2b_saas,red\n", "/header/4",
         "unknown_field"),
        ("stage,team_size,product_complexity\nseed,6,low\n", "/header", "required"),
        ("stage,stage,team_size,product_complexity,business_model\n", "/header/1", "duplicate_item"),
        ("", "", "required"),
        ("stage,team_size,product_complexity,business_model\n", "/items", "invalid_length"),
    ],
)
def test_a_csv_whose_header_cannot_work_is_one_422(client, stored_count, text, pointer, code):
    body = problem(client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS), 422,
                   "validation_failed")
    assert (body["errors"][0]["pointer"], body["errors"][0]["code"]) == (pointer, code)
    assert stored_count() == 0


def test_a_batch_in_another_media_type_is_415_naming_both(client):
    body = problem(client.post("/v1/recommendations/batch", data="x", headers={"Content-Type": "text/plain"}),
                   415, "unsupported_media_type")
    assert "application/json or text/csv" in body["detail"]


def test_csv_is_only_accepted_by_the_batch(client):
    problem(client.post("/v1/recommendations", data="stage\nseed\n", headers=CSV_HEADERS), 415,
            "unsupported_media_type")


def export(client, query="") -> list[dict]:
    response = client.get(f"/v1/recommendations{query}", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="recommendations.csv"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_round_trip_batch_in_export_out(client):
    source = ("stage,team_size,product_complexity,business_model,priorities,customer_access,planned_hires,"
              "company_name,external_id\n"
              "seed,6,low,b2b_saas,ship_fast;growth,direct,4,Acme,REQ-1\n"
              "public,800,very_high,enterprise_platform,scale;security,none,12,Bigco,REQ-2\n"
              "growth,300,medium,consumer_subscription,,,,,REQ-3\n")
    created = client.post("/v1/recommendations/batch", data=source, headers=CSV_HEADERS).get_json()
    documents = {item["recommendation"]["id"]: item["recommendation"] for item in created["items"]}
    rows = export(client)
    assert len(rows) == 3 and {row["id"] for row in rows} == set(documents)
    sent = {row["external_id"]: row for row in csv.DictReader(io.StringIO(source))}
    for row in rows:
        document = documents[row["id"]]
        assert row["recommendation"] == document["recommendation"]
        assert float(row["product_engineers_score"]) == document["scores"]["product_engineers"]
        assert float(row["confidence"]) == document["confidence"]
        assert row["model_hash"] == document["model"]["hash"] and row["summary"] == document["summary"]
        for column in ("stage", "team_size", "product_complexity", "business_model", "priorities",
                       "customer_access", "planned_hires", "company_name"):
            assert row[column] == sent[row["external_id"]][column], column
    assert [row["headcount_product_engineers"] != "" for row in rows].count(True) == 2


def test_the_export_is_newest_first_and_honours_filters(client, create):
    first = create(stage="public", team_size=800, product_complexity="very_high").get_json()["id"]
    second = create().get_json()["id"]
    assert [row["id"] for row in export(client)] == [second, first]
    assert [row["id"] for row in export(client, "?stage=public")] == [first]
    assert export(client, "?stage=growth") == []


def test_the_export_is_not_paginated(client):
    body = problem(client.get("/v1/recommendations?limit=5", headers={"Accept": "text/csv"}), 422,
                   "validation_failed")
    assert body["errors"][0]["parameter"] == "limit"


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused(client, create):
    create(company_name="=HYPERLINK(\"http://evil\")", external_id="+REQ")
    [row] = export(client)
    assert row["company_name"].startswith("'=") and row["external_id"] == "'+REQ"


@pytest.mark.parametrize("name", [" =1+1", "\u200b=1+1", "\ufeff@SUM(A1)", "\u00a0 -2", "\uff1d1+1",
                                  "\uff0bcmd", "\u2060\uff20x", "\uff0d1"])
def test_a_formula_hidden_behind_invisible_or_fullwidth_characters_is_defused(client, create, name):
    assert create(company_name=name).status_code == 201
    [row] = export(client)
    assert row["company_name"] == "'" + name


@pytest.mark.parametrize("name", ["Acme", "Acme - East", "  Acme", "\u200bAcme"])
def test_ordinary_names_are_exported_as_they_are(client, create, name):
    assert create(company_name=name).status_code == 201
    [row] = export(client)
    assert row["company_name"] == name


def test_json_stays_the_default_and_csv_must_be_asked_for(client, create):
    create()
    assert client.get("/v1/recommendations", headers={"Accept": "*/*"}).mimetype == "application/json"
    assert client.get("/v1/recommendations", headers={"Accept": "text/csv;q=0.5, application/json"}).mimetype == \
        "application/json"


def test_the_export_reads_in_chunks_past_every_boundary(client, sessions, api_key):
    from service import keys

    for _ in range(5):
        client.post("/v1/recommendations", json=VALID)
    tenant = keys.authenticate(api_key, sessions).tenant_id
    everything = [doc["id"] for doc in recommendations.every({}, tenant, sessions, chunk=2)]
    page = [doc["id"] for doc in client.get("/v1/recommendations?limit=100").get_json()["data"]]
    assert everything == page and len(page) == 5


_HEADER = "stage,team_size,product_complexity,business_model,company_name\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # an unclosed quote on the first of three rows used to swallow the other two: 200 with one item
        (_HEADER + '"seed,6,low,b2b_saas,Acme\nseed,7,low,b2b_saas,Beta\nseed,8,low,b2b_saas,Gamma\n', 2),
        # on the last row it used to store company_name with the rest of the file in it
        (_HEADER + 'seed,6,low,b2b_saas,Acme\nseed,7,low,b2b_saas,"Beta\n', 3),
        (_HEADER + 'seed,6,low,b2b_saas,"Acme" Inc\n', 2),
        (_HEADER + 'seed,6,low,b2b_saas,Acme\n\nseed,7,low,b2b_saas,"Beta\n' + "y" * 100_000, 4),
    ],
)
def test_a_csv_that_is_not_strictly_csv_is_400_naming_the_line(client, stored_count, text, line):
    body = problem(client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS), 400, "malformed_csv")
    assert "cannot be read" in body["detail"] and f"line {line}" in body["detail"]
    assert stored_count() == 0


def test_a_quoted_cell_may_still_hold_a_comma(client):
    text = _HEADER + 'seed,6,low,b2b_saas,"Acme, Inc"\n'
    item = client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS).get_json()["items"][0]
    assert item["recommendation"]["profile"]["company_name"] == "Acme, Inc"


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "punycode", "utf-7",
                                     "idna", "unicode_escape", "raw_unicode_escape", "undefined", "x" * 300])
def test_a_charset_that_is_not_a_text_encoding_is_415(client, stored_count, charset):
    text = _HEADER + "seed,6,low,b2b_saas,Acme\n"
    response = client.post("/v1/recommendations/batch", data=text.encode(),
                           headers={"Content-Type": f"text/csv; charset={charset}"})
    body = problem(response, 415, "unsupported_media_type")
    assert len(body["detail"]) < 200
    assert stored_count() == 0


def test_csv_that_decodes_to_a_lone_surrogate_is_400(client, stored_count):
    # UTF-16 bytes of a lone high surrogate: Python's utf-16 refuses it; the check after decoding is the backstop
    text = _HEADER.encode("utf-16-le") + "seed,6,low,b2b_saas,".encode("utf-16-le") + b"\x00\xd8" + "\n".encode("utf-16-le")
    response = client.post("/v1/recommendations/batch", data=text, headers={"Content-Type": "text/csv; charset=utf-16-le"})
    problem(response, 400, "malformed_csv")
    assert stored_count() == 0


def test_a_csv_of_more_rows_than_a_batch_holds_is_refused_without_reading_them_all(client, stored_count):
    text = _HEADER + "seed,6,low,b2b_saas,Acme\n" * 5000
    body = problem(client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS), 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/items" and body["errors"][0]["code"] == "invalid_length"
    assert stored_count() == 0


def test_a_csv_in_a_declared_charset_is_read_in_it(client):
    text = "stage,team_size,product_complexity,business_model,company_name\nseed,6,low,b2b_saas,Caf\u00e9 M\u00fcller\n"
    body = client.post("/v1/recommendations/batch", data=text.encode("cp1252"),
                       headers={"Content-Type": "text/csv; charset=windows-1252"}).get_json()
    assert body["items"][0]["recommendation"]["profile"]["company_name"] == "Caf\u00e9 M\u00fcller"


def test_a_csv_that_is_not_utf8_without_a_charset_is_400_and_an_unknown_charset_415(client):
    latin = "stage,team_size,product_complexity,business_model,company_name\nseed,6,low,b2b_saas,Caf\u00e9\n"
    problem(client.post("/v1/recommendations/batch", data=latin.encode("latin-1"), headers=CSV_HEADERS), 400,
            "malformed_csv")
    problem(client.post("/v1/recommendations/batch", data=latin, headers={"Content-Type": "text/csv; charset=klingon"}),
            415, "unsupported_media_type")


@pytest.mark.parametrize("number", ["\u0666", "\uff16", "6.0", "1e3"])
def test_only_ascii_digits_make_a_number_in_csv(client, number):
    text = f"stage,team_size,product_complexity,business_model\nseed,{number},low,b2b_saas\n"
    item = client.post("/v1/recommendations/batch", data=text, headers=CSV_HEADERS).get_json()["items"][0]
    assert item["status"] == 422 and item["problem"]["errors"][0]["code"] == "invalid_type"


@pytest.mark.parametrize("accept", ["text/csv; charset=utf-8", "text/csv;header=present", "text/*"])
def test_csv_asked_for_with_parameters_is_still_csv(client, create, accept):
    create()
    assert client.get("/v1/recommendations", headers={"Accept": accept}).mimetype == "text/csv"
