"""POST /v1/recommendations/preview evaluates and stores nothing."""

from tests.api.conftest import VALID


def test_preview_answers_200_without_id_or_created_at(client):
    response = client.post("/v1/recommendations/preview", json=VALID)
    assert response.status_code == 200
    body = response.get_json()
    assert "id" not in body and "created_at" not in body
    assert body["recommendation"] == "product_engineers"
    assert "Location" not in response.headers


def test_preview_stores_nothing(client, stored_count):
    for _ in range(3):
        client.post("/v1/recommendations/preview", json=VALID)
    assert stored_count() == 0


def test_preview_is_deterministic(client):
    first = client.post("/v1/recommendations/preview", json={**VALID, "priorities": ["growth", "scale"]})
    second = client.post("/v1/recommendations/preview", json={**VALID, "priorities": ["scale", "growth"]})
    assert first.get_data() == second.get_data()
