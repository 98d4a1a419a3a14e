"""The model card, what would change a recommendation, role profiles and ATS write-back, over HTTP."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.engine.catalogue import BUSINESS_MODELS, CUSTOMER_ACCESS, PRIORITIES, PRODUCT_COMPLEXITIES, STAGES
from tests.api.conftest import VALID
from tests.strategies import as_payload, profiles

@pytest.fixture
def tuned_profile(client):
    made = client.post("/v1/weight-profiles", json={"name": "Tuned", "weights": {"priorities": 2.0},
                                                    "thresholds": {"lower": 0.45, "upper": 0.5}}).get_json()
    client.post(f"/v1/weight-profiles/{made['id']}/versions", json={"thresholds": {"lower": 0.1}})
    return made["id"]


REPLAY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_the_model_card_needs_no_key_and_names_every_value(anonymous, client):
    response = anonymous.get("/v1/model")
    assert response.status_code == 200 and "max-age" in response.headers["Cache-Control"]
    card = response.get_json()
    values = {f["name"]: {v["value"] for v in f["values"]} for f in card["factors"]}
    assert values["stage"] == set(STAGES) and values["business_model"] == set(BUSINESS_MODELS)
    assert values["product_complexity"] == set(PRODUCT_COMPLEXITIES) and values["priorities"] == set(PRIORITIES)
    assert values["customer_access"] == set(CUSTOMER_ACCESS)
    assert (card["version"], card["combination"], card["thresholds"]) == (2, "logistic-additive-v2",
                                                                          {"lower": 0.4, "upper": 0.6})
    assert [(v["version"], v["combination"]) for v in card["versions"]] == [(1, "logistic-additive-v1"),
                                                                             (2, "logistic-additive-v2")]
    assert {i["name"] for i in card["interactions"]} == {"large_team_wants_speed", "late_stage_innovation"}
    assert all(i["evidence"] for i in card["interactions"]) and set(card["rules"]) == {"both", "confidence", "margin"}
    assert card["weight_profile_id"] == "wp_default"
    assert client.post("/v1/recommendations/preview", json=VALID).get_json()["model"]["hash"] == card["hash"]


@REPLAY
@given(profiles, st.sampled_from(["built-in", "tuned"]))
def test_every_what_would_change_entry_is_true_when_replayed_through_preview(client, tuned_profile, profile, weights):
    payload = as_payload(profile)
    if weights == "tuned":  # a stored profile, pinned to its first version after a second one exists
        payload.update(weight_profile_id=tuned_profile, weight_profile_version=1)
    result = client.post("/v1/recommendations/preview", json=payload).get_json()
    for change in result["what_would_change"]:
        assert change["from"] == result["profile"][change["factor"]]
        replayed = client.post("/v1/recommendations/preview", json={**payload, change["factor"]: change["to"]})
        assert replayed.status_code == 200, replayed.get_data(as_text=True)
        assert replayed.get_json()["recommendation"] == change["recommendation"] != result["recommendation"]


def test_a_stored_recommendation_carries_everything_an_ats_needs(create):
    body = create(stage="growth", team_size=300, product_complexity="medium",
                  business_model="consumer_subscription", priorities=["ship_fast", "innovation", "growth"],
                  planned_hires=5, company_name="Streamly").get_json()
    hired = [role for role in ("product_engineers", "software_engineers") if body["headcount"][role] > 0]
    assert sorted(r["role"] for r in body["role_profiles"]) == sorted(hired)
    assert [r["hires"] for r in body["role_profiles"]] == [body["headcount"][r["role"]] for r in body["role_profiles"]]
    assert all(r["title"] and r["responsibilities"] and r["traits"] and r["interview_focus"] and r["scorecard"]
               for r in body["role_profiles"])
    assert "growth engineer" in body["growth_engineering"]
    assert [item["factor"] for item in body["scorecard"]] == [f["factor"] for f in body["factors"]]
    assert "customer_access" not in [item["factor"] for item in body["scorecard"]]  # not given, so not rated
    assert {item["rating"] for item in body["scorecard"]} <= {"definitely_not", "no", "mixed", "yes", "strong_yes"}
    assert len(body["note_text"]) <= 2000 and body["note_text"].startswith("hiremix recommendation for Streamly")


def test_without_growth_there_is_no_growth_engineering(create):
    assert create().get_json()["growth_engineering"] is None
