"""Whatever JSON arrives, the answer is a success or a documented 4xx problem, never a 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import as_payload, profiles

FIELDS = ["stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access",
          "planned_hires", "company_name", "external_id", "weight_profile_id"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=8),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(bodies)
def test_any_json_body_is_answered_without_a_server_error(client, body):
    response = client.post("/v1/recommendations/preview", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert response.content_type == "application/problem+json"
        assert response.get_json()["errors"]


@FUZZ
@given(profiles)
def test_any_valid_profile_is_stored_and_read_back(client, profile):
    created = client.post("/v1/recommendations", json=as_payload(profile))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.get(created.headers["Location"]).get_data() == created.get_data()


@FUZZ
@given(st.dictionaries(st.sampled_from(["limit", "cursor", "stage", "recommendation", "external_id",
                                        "created_after", "created_before", "business_model"]) | st.text(max_size=6),
                       st.text(max_size=30), max_size=4))
def test_any_query_string_is_answered_without_a_server_error(client, query):
    response = client.get("/v1/recommendations", query_string=query)
    assert response.status_code in (200, 422), response.get_data(as_text=True)


CSV_CELLS = st.sampled_from(["seed", "6", "low", "b2b_saas", "ship_fast;growth", "", '"', '""', "a,b", "\x00",
                             "\r\n", "\ufeff", "-1", "x" * 300]) | st.text(max_size=12)
csv_bodies = st.lists(st.lists(CSV_CELLS, max_size=7), max_size=6).map(
    lambda rows: "\n".join(",".join(row) for row in rows)
) | st.text(max_size=200)


@FUZZ
@given(st.sampled_from(["stage,team_size,product_complexity,business_model\n", "stage,team_size\n", ""]), csv_bodies)
def test_any_csv_batch_is_answered_without_a_server_error(client, header, body):
    response = client.post("/v1/recommendations/batch", data=(header + body).encode("utf-8", "surrogatepass"),
                           content_type="text/csv")
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)
    if response.status_code == 200:
        assert all(item["status"] in (201, 422) for item in response.get_json()["items"])
