"""The directions of ../shared/domain/evidence.md hold over the whole input space, under both built-in models."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.engine import evaluate
from service.engine.catalogue import PRODUCT_COMPLEXITIES, STAGES, TEAM_SIZE_BANDS, TEAM_SIZE_MAX
from service.engine.weights import BUILT_IN
from tests.strategies import profiles

pytestmark = pytest.mark.parametrize("model", sorted(BUILT_IN), ids=lambda number: f"model{number}")


def share(profile, model):
    return evaluate(profile, BUILT_IN[model]).product_engineer_share


def non_increasing(values):
    return all(later <= earlier for earlier, later in zip(values, values[1:]))


# Every band edge, so each generated profile is checked across all of them.
TEAM_SIZE_EDGES = sorted({0, TEAM_SIZE_MAX} | {edge + d for _, edge in TEAM_SIZE_BANDS[:-1] for d in (0, 1)})


@given(profiles)
def test_more_product_complexity_never_raises_the_product_share(model, profile):
    assert non_increasing([share(replace(profile, product_complexity=c), model) for c in PRODUCT_COMPLEXITIES])


@given(profiles, st.lists(st.integers(0, TEAM_SIZE_MAX), max_size=5))
def test_a_larger_team_never_raises_the_product_share(model, profile, sizes):
    ordered = sorted(set(sizes) | set(TEAM_SIZE_EDGES))
    assert non_increasing([share(replace(profile, team_size=n), model) for n in ordered])


@given(profiles)
def test_a_later_stage_never_raises_the_product_share(model, profile):
    assert non_increasing([share(replace(profile, stage=stage), model) for stage in STAGES])


@given(profiles)
def test_saas_or_subscription_never_lowers_the_share_against_a_platform(model, profile):
    product_led = [share(replace(profile, business_model=m), model) for m in ("b2b_saas", "consumer_subscription")]
    platforms = [share(replace(profile, business_model=m), model) for m in ("enterprise_platform", "data_platform")]
    assert min(product_led) >= max(platforms)


@given(profiles)
def test_adding_ship_fast_never_lowers_the_product_share(model, profile):
    without = tuple(p for p in profile.priorities if p != "ship_fast")
    assert share(replace(profile, priorities=without + ("ship_fast",)), model) >= \
        share(replace(profile, priorities=without), model)


@given(profiles)
def test_adding_scale_reliability_or_security_never_raises_the_share(model, profile):
    for priority in ("scale", "reliability", "security"):
        without = tuple(p for p in profile.priorities if p != priority)
        assert share(replace(profile, priorities=without + (priority,)), model) <= \
            share(replace(profile, priorities=without), model)


@given(profiles)
def test_direct_customer_access_never_lowers_the_share_against_none(model, profile):
    assert share(replace(profile, customer_access="direct"), model) >= \
        share(replace(profile, customer_access="none"), model)
