"""GET /v1/recommendations (cursor pages, filters) and DELETE /v1/recommendations/{id}."""

from urllib.parse import parse_qs, urlsplit

import pytest


@pytest.fixture
def five(create):
    """Five stored recommendations, oldest first."""
    return [create(team_size=n, external_id=f"REQ-{n}").get_json() for n in range(1, 6)]


def ids(response):
    return [item["id"] for item in response.get_json()["data"]]


def test_empty_list(client):
    response = client.get("/v1/recommendations")
    assert response.status_code == 200
    assert response.get_json() == {"data": [], "has_more": False, "next_cursor": None}
    assert "Link" not in response.headers


def test_list_is_newest_first(client, five):
    assert ids(client.get("/v1/recommendations")) == [r["id"] for r in reversed(five)]


def test_items_are_the_stored_bodies(client, five):
    assert client.get("/v1/recommendations?limit=1").get_json()["data"][0] == five[-1]


def test_cursor_pages_cover_everything_once(client, five):
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get("/v1/recommendations", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = response.get_json()
        seen += ids(response)
        pages += 1
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        cursor = body["next_cursor"]
    assert pages == 3
    assert seen == [r["id"] for r in reversed(five)]


def test_link_header_points_at_the_next_page_and_keeps_filters(client, five):
    response = client.get("/v1/recommendations?limit=2&stage=seed")
    link = response.headers["Link"]
    url, rel = link.split(";")
    assert rel.strip() == 'rel="next"'
    query = parse_qs(urlsplit(url.strip("<> ")).query)
    assert query == {"limit": ["2"], "stage": ["seed"], "cursor": [response.get_json()["next_cursor"]]}
    follow = client.get(url.strip("<> "))
    assert ids(follow) == [r["id"] for r in reversed(five)][2:4]


def test_default_page_size_is_20(client, create):
    for n in range(21):
        create(team_size=n)
    body = client.get("/v1/recommendations").get_json()
    assert len(body["data"]) == 20 and body["has_more"] is True


@pytest.mark.parametrize(
    ("query", "expected_sizes"),
    [
        ("stage=public", [900]),
        ("business_model=data_platform", [900]),
        ("recommendation=software_engineers", [900]),
        ("recommendation=product_engineers", [2, 1]),
        ("external_id=REQ-2", [2]),
        ("stage=public&recommendation=product_engineers", []),
    ],
)
def test_filters(client, create, query, expected_sizes):
    create(team_size=1, external_id="REQ-1")
    create(team_size=2, external_id="REQ-2")
    create(stage="public", team_size=900, product_complexity="very_high", business_model="data_platform")
    data = client.get(f"/v1/recommendations?{query}").get_json()["data"]
    assert [item["profile"]["team_size"] for item in data] == expected_sizes


def test_created_after_and_before_bound_strictly(client, five):
    middle = five[2]["created_at"]
    after = ids(client.get("/v1/recommendations", query_string={"created_after": middle}))
    before = ids(client.get("/v1/recommendations", query_string={"created_before": middle}))
    assert after == [five[4]["id"], five[3]["id"]]
    assert before == [five[1]["id"], five[0]["id"]]


def test_a_date_time_without_zone_is_utc(client, five):
    naive = five[2]["created_at"].rstrip("Z")
    assert len(ids(client.get("/v1/recommendations", query_string={"created_after": naive}))) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=0", ("/limit", "out_of_range")),
        ("limit=101", ("/limit", "out_of_range")),
        ("limit=ten", ("/limit", "invalid_type")),
        ("stage=unicorn", ("/stage", "invalid_choice")),
        ("recommendation=maybe", ("/recommendation", "invalid_choice")),
        ("created_after=yesterday", ("/created_after", "invalid_format")),
        ("cursor=not-a-cursor", ("/cursor", "invalid_format")),
        ("sort=asc", ("/sort", "unknown_field")),
        ("stage=seed&stage=public", ("/stage", "repeated_parameter")),
        ("created_after=0001-01-01T00:00:00%2B01:00", ("/created_after", "out_of_range")),
        ("created_before=9999-12-31T23:59:59-01:00", ("/created_before", "out_of_range")),
        ("external_id=a%00b", ("/external_id", "invalid_format")),
    ],
)
def test_bad_query_is_422_naming_the_parameter(client, query, expected):
    response = client.get(f"/v1/recommendations?{query}")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert expected in {(e["pointer"], e["code"]) for e in errors}
    assert all(e["parameter"] == e["pointer"][1:] for e in errors)


def test_delete_erases_one_recommendation(client, five):
    target = five[1]["id"]
    response = client.delete(f"/v1/recommendations/{target}")
    assert response.status_code == 204 and response.get_data() == b""
    assert client.get(f"/v1/recommendations/{target}").status_code == 404
    assert target not in ids(client.get("/v1/recommendations"))
    assert len(ids(client.get("/v1/recommendations"))) == 4


def test_deleting_twice_is_404_the_second_time(client, five):
    assert client.delete(f"/v1/recommendations/{five[0]['id']}").status_code == 204
    second = client.delete(f"/v1/recommendations/{five[0]['id']}")
    assert second.status_code == 404 and second.get_json()["code"] == "not_found"


def test_a_cursor_outside_the_calendar_is_422(client):
    import base64

    cursor = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+01:00|rec_x").decode().rstrip("=")
    response = client.get(f"/v1/recommendations?cursor={cursor}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["parameter"] == "cursor"


def test_an_unencoded_plus_in_a_zone_offset_still_works(client, five):
    # curl and many HR tools send '+00:00' as typed; the query string turns '+' into a space.
    middle = five[2]["created_at"].replace("Z", "+00:00")
    response = client.get(f"/v1/recommendations?created_after={middle}")
    assert response.status_code == 200
    assert ids(response) == [five[4]["id"], five[3]["id"]]
