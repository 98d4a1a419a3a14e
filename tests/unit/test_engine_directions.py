"""The directions of ../shared/domain/evidence.md hold over the whole input space."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from service.engine import evaluate
from service.engine.catalogue import PRODUCT_COMPLEXITIES, STAGES, TEAM_SIZE_MAX
from tests.strategies import profiles


def share(profile):
    return evaluate(profile).product_engineer_share


def ordered_pair(values):
    return st.tuples(st.sampled_from(range(len(values))), st.sampled_from(range(len(values)))).map(sorted)


@given(profiles, ordered_pair(PRODUCT_COMPLEXITIES))
def test_more_product_complexity_never_raises_the_product_share(profile, pair):
    simpler, harder = (PRODUCT_COMPLEXITIES[i] for i in pair)
    assert share(replace(profile, product_complexity=harder)) <= share(replace(profile, product_complexity=simpler))


@given(profiles, st.integers(0, TEAM_SIZE_MAX), st.integers(0, TEAM_SIZE_MAX))
def test_a_larger_team_never_raises_the_product_share(profile, a, b):
    smaller, larger = sorted((a, b))
    assert share(replace(profile, team_size=larger)) <= share(replace(profile, team_size=smaller))


@given(profiles, ordered_pair(STAGES))
def test_a_later_stage_never_raises_the_product_share(profile, pair):
    earlier, later = (STAGES[i] for i in pair)
    assert share(replace(profile, stage=later)) <= share(replace(profile, stage=earlier))


@given(
    profiles,
    st.sampled_from(["b2b_saas", "consumer_subscription"]),
    st.sampled_from(["enterprise_platform", "data_platform"]),
)
def test_saas_or_subscription_never_lowers_the_share_against_a_platform(profile, product_led, platform):
    assert share(replace(profile, business_model=product_led)) >= share(replace(profile, business_model=platform))


@given(profiles)
def test_adding_ship_fast_never_lowers_the_product_share(profile):
    without = tuple(p for p in profile.priorities if p != "ship_fast")
    assert share(replace(profile, priorities=without + ("ship_fast",))) >= share(replace(profile, priorities=without))


@given(profiles, st.sampled_from(["scale", "reliability", "security"]))
def test_adding_scale_reliability_or_security_never_raises_the_share(profile, priority):
    without = tuple(p for p in profile.priorities if p != priority)
    assert share(replace(profile, priorities=without + (priority,))) <= share(replace(profile, priorities=without))


@given(profiles)
def test_direct_customer_access_never_lowers_the_share_against_none(profile):
    assert share(replace(profile, customer_access="direct")) >= share(replace(profile, customer_access="none"))
