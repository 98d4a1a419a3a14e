"""Model 1 (wp_default version 1), pinned: scores, decision, confidence, contributions, determinism.

Model 1 answers must stay exactly as they were; model 2 has tests/unit/test_model_v2.py."""

import json
import math
import subprocess
import sys
from dataclasses import asdict, replace

import pytest
from hypothesis import given

from service.engine import CompanyProfile, Thresholds, WeightProfile
from service.engine import evaluate as evaluate_with
from service.engine.model import logistic
from service.engine.weights import MODEL_V1 as DEFAULT_WEIGHT_PROFILE
from tests.strategies import profiles

def evaluate(profile, weights=DEFAULT_WEIGHT_PROFILE):
    return evaluate_with(profile, weights)


SEED_SAAS = CompanyProfile("seed", 6, "low", "b2b_saas", ("ship_fast",), "direct", 4)
PUBLIC_PLATFORM = CompanyProfile("public", 800, "very_high", "enterprise_platform", ("scale", "security"), "none")
SERIES_B_MARKETPLACE = CompanyProfile("series_b", 40, "medium", "marketplace", ("growth", "reliability"), "limited")


def test_seed_b2b_saas_with_customer_access_gets_product_engineers():
    assert evaluate(SEED_SAAS).recommendation == "product_engineers"


def test_public_enterprise_platform_gets_software_engineers():
    assert evaluate(PUBLIC_PLATFORM).recommendation == "software_engineers"


def test_mixed_signals_get_both():
    assert evaluate(SERIES_B_MARKETPLACE).recommendation == "both"


def test_large_team_that_wants_to_ship_fast_gets_both():
    profile = CompanyProfile("growth", 300, "medium", "consumer_subscription", ("ship_fast", "innovation"))
    assert evaluate(profile).recommendation == "both"


@given(profiles)
def test_scores_are_a_share_and_its_complement(profile):
    scores = evaluate(profile).scores
    assert 0 <= scores["product_engineers"] <= 1
    assert scores["product_engineers"] + scores["software_engineers"] == pytest.approx(1.0, abs=1e-9)


@given(profiles)
def test_the_share_is_the_logistic_of_the_summed_contributions(profile):
    result = evaluate(profile)
    total = math.fsum(c.contribution for c in result.factors)
    assert result.log_odds == pytest.approx(total, abs=1e-3)
    assert result.product_engineer_share == pytest.approx(logistic(result.log_odds))


@given(profiles)
def test_the_recommendation_follows_the_thresholds(profile):
    result = evaluate(profile)
    p = result.product_engineer_share
    expected = "product_engineers" if p > 0.6 else "software_engineers" if p < 0.4 else "both"
    assert result.recommendation == expected


@given(profiles)
def test_confidence_is_between_zero_and_one(profile):
    assert 0 <= evaluate(profile).confidence <= 1


def test_confidence_grows_with_distance_from_the_thresholds():
    near = CompanyProfile("series_a", 30, "medium", "b2b_saas")
    far = CompanyProfile("pre_seed", 2, "low", "b2b_saas", ("ship_fast",), "direct")
    assert evaluate(near).recommendation == evaluate(far).recommendation == "product_engineers"
    assert evaluate(near).confidence < evaluate(far).confidence


@given(profiles)
def test_favors_matches_the_sign_of_each_contribution(profile):
    for c in evaluate(profile).factors:
        expected = "product_engineers" if c.contribution > 0 else "software_engineers" if c.contribution < 0 else "neutral"
        assert c.favors == expected


@given(profiles)
def test_every_given_factor_is_explained_in_one_sentence(profile):
    result = evaluate(profile)
    expected = {"stage", "team_size", "product_complexity", "business_model"}
    expected |= {"priorities"} if profile.priorities else set()
    expected |= {"customer_access"} if profile.customer_access else set()
    assert {c.factor for c in result.factors} == expected
    for c in result.factors:
        assert c.reason.endswith(".") and c.reason.count(". ") == 0


@given(profiles)
def test_the_order_of_priorities_never_changes_the_result(profile):
    reordered = replace(profile, priorities=tuple(reversed(profile.priorities)))
    assert evaluate(reordered) == evaluate(profile)


def test_results_do_not_depend_on_the_hash_seed():
    script = (
        "import json, dataclasses; from service.engine import evaluate, CompanyProfile;"
        "r = evaluate(CompanyProfile('series_b', 40, 'medium', 'marketplace', ('growth', 'scale', 'ship_fast'), 'limited', 7));"
        "print(json.dumps(dataclasses.asdict(r), sort_keys=True))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script], env={"PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["recommendation"] == evaluate(
        CompanyProfile("series_b", 40, "medium", "marketplace", ("growth", "scale", "ship_fast"), "limited", 7)
    ).recommendation


def test_the_model_reference_names_the_weights_used():
    model = evaluate(SEED_SAAS).model
    assert (model.weight_profile_id, model.version, model.hash) == ("wp_default", 1, DEFAULT_WEIGHT_PROFILE.hash)


def test_custom_weights_change_the_result_and_the_hash():
    zero = WeightProfile("wp_zero", 1, {k: 0.0 for k in DEFAULT_WEIGHT_PROFILE.weights}, DEFAULT_WEIGHT_PROFILE.leans)
    result = evaluate(SEED_SAAS, zero)
    assert result.product_engineer_share == 0.5
    assert result.recommendation == "both"
    assert result.model.hash != DEFAULT_WEIGHT_PROFILE.hash


def test_extreme_weights_do_not_overflow():
    huge = WeightProfile("wp_huge", 1, {k: 1e6 for k in DEFAULT_WEIGHT_PROFILE.weights}, DEFAULT_WEIGHT_PROFILE.leans)
    assert evaluate(PUBLIC_PLATFORM, huge).scores == {"product_engineers": 0.0, "software_engineers": 1.0}


def test_thresholds_must_be_ordered_inside_the_unit_interval():
    for lower, upper in ((0.0, 0.5), (0.6, 0.4), (0.5, 1.0)):
        with pytest.raises(ValueError):
            Thresholds(lower, upper)


def test_result_is_plain_data():
    assert json.dumps(asdict(evaluate(SEED_SAAS)))
