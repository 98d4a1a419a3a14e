"""Model 1's what_would_change: every entry is true, nearest per factor, smallest change first."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from service.engine import CompanyProfile, evaluate
from service.engine.weights import MODEL_V1 as DEFAULT_WEIGHT_PROFILE
from service.engine.catalogue import TEAM_SIZE_BANDS, team_size_band
from service.engine.counterfactuals import _alternatives, what_would_change
from service.engine.weights import derive
from tests.strategies import profiles

weights = st.sampled_from([
    DEFAULT_WEIGHT_PROFILE,
    derive(DEFAULT_WEIGHT_PROFILE, id="wp_t", version=1, lower=0.2, upper=0.8),
    derive(DEFAULT_WEIGHT_PROFILE, id="wp_t", version=2, weights={"priorities": 3.0}, lower=0.45, upper=0.55),
])


@settings(max_examples=300)
@given(profiles, weights)
def test_every_entry_is_true_when_replayed(profile, profile_weights):
    before = evaluate(profile, profile_weights).recommendation
    for change in what_would_change(profile, profile_weights):
        assert change.from_ == (profile.priorities if change.factor == "priorities" else getattr(profile, change.factor))
        changed = dataclasses.replace(profile, **{change.factor: change.to})
        after = evaluate(changed, profile_weights).recommendation
        assert after == change.recommendation != before, change


@settings(max_examples=200)
@given(profiles, weights)
def test_one_entry_per_factor_ordered_by_size_and_nothing_nearer_flips(profile, profile_weights):
    changes = what_would_change(profile, profile_weights)
    assert len({c.factor for c in changes}) == len(changes)
    assert [(c.steps, c.shift) for c in changes] == sorted((c.steps, c.shift) for c in changes)
    before = evaluate(profile, profile_weights).recommendation
    for change in changes:
        for value, steps in _alternatives(profile, change.factor):
            if steps < change.steps:
                nearer = dataclasses.replace(profile, **{change.factor: value})
                assert evaluate(nearer, profile_weights).recommendation == before


def test_a_balanced_profile_lists_its_nearest_flips():
    profile = CompanyProfile("growth", 300, "medium", "consumer_subscription", ("ship_fast", "innovation"))
    changes = what_would_change(profile, DEFAULT_WEIGHT_PROFILE)
    assert [(c.factor, c.to, c.recommendation) for c in changes[:3]] == [
        ("stage", "series_c", "product_engineers"),
        ("priorities", ("ship_fast", "innovation", "growth"), "product_engineers"),
        ("team_size", 250, "product_engineers"),
    ]


def test_a_clear_cut_profile_may_have_no_single_flip():
    profile = CompanyProfile("seed", 6, "low", "b2b_saas", ("ship_fast",), "direct")
    assert what_would_change(profile, DEFAULT_WEIGHT_PROFILE) == ()


def test_a_team_size_change_names_the_nearest_size_in_the_other_band():
    bands = [upper for _name, upper in TEAM_SIZE_BANDS]
    options = dict((team_size_band(size), (size, steps)) for size, steps in _alternatives(
        CompanyProfile("seed", 30, "low", "b2b_saas"), "team_size"))
    assert options["small"] == (bands[1], 1) and options["large"] == (bands[2] + 1, 1)
    assert options["first_hire"] == (0, 2) and options["huge"] == (bands[4] + 1, 3)


@settings(max_examples=200)
@given(profiles, weights)
def test_every_factor_that_can_flip_the_answer_on_its_own_is_listed(profile, profile_weights):
    before = evaluate(profile, profile_weights).recommendation
    listed = {c.factor for c in what_would_change(profile, profile_weights)}
    for factor in ("stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access"):
        flips = any(
            evaluate(dataclasses.replace(profile, **{factor: value}), profile_weights).recommendation != before
            for value, _steps in _alternatives(profile, factor)
        )
        assert (factor in listed) == flips, factor
