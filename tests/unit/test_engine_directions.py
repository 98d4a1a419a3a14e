"""The directions of ../shared/domain/evidence.md hold over the whole input space."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from service.engine import evaluate
from service.engine.catalogue import PRODUCT_COMPLEXITIES, STAGES, TEAM_SIZE_BANDS, TEAM_SIZE_MAX
from tests.strategies import profiles


def share(profile):
    return evaluate(profile).product_engineer_share


def non_increasing(values):
    return all(later <= earlier for earlier, later in zip(values, values[1:]))


# Every band edge, so each generated profile is checked across all of them.
TEAM_SIZE_EDGES = sorted({0, TEAM_SIZE_MAX} | {edge + d for _, edge in TEAM_SIZE_BANDS[:-1] for d in (0, 1)})


@given(profiles)
def test_more_product_complexity_never_raises_the_product_share(profile):
    assert non_increasing([share(replace(profile, product_complexity=c)) for c in PRODUCT_COMPLEXITIES])


@given(profiles, st.lists(st.integers(0, TEAM_SIZE_MAX), max_size=5))
def test_a_larger_team_never_raises_the_product_share(profile, sizes):
    ordered = sorted(set(sizes) | set(TEAM_SIZE_EDGES))
    assert non_increasing([share(replace(profile, team_size=n)) for n in ordered])


@given(profiles)
def test_a_later_stage_never_raises_the_product_share(profile):
    assert non_increasing([share(replace(profile, stage=stage)) for stage in STAGES])


@given(profiles)
def test_saas_or_subscription_never_lowers_the_share_against_a_platform(profile):
    product_led = [share(replace(profile, business_model=m)) for m in ("b2b_saas", "consumer_subscription")]
    platforms = [share(replace(profile, business_model=m)) for m in ("enterprise_platform", "data_platform")]
    assert min(product_led) >= max(platforms)


@given(profiles)
def test_adding_ship_fast_never_lowers_the_product_share(profile):
    without = tuple(p for p in profile.priorities if p != "ship_fast")
    assert share(replace(profile, priorities=without + ("ship_fast",))) >= share(replace(profile, priorities=without))


@given(profiles)
def test_adding_scale_reliability_or_security_never_raises_the_share(profile):
    for priority in ("scale", "reliability", "security"):
        without = tuple(p for p in profile.priorities if p != priority)
        assert share(replace(profile, priorities=without + (priority,))) <= share(replace(profile, priorities=without))


@given(profiles)
def test_direct_customer_access_never_lowers_the_share_against_none(profile):
    assert share(replace(profile, customer_access="direct")) >= share(replace(profile, customer_access="none"))
