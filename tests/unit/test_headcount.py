"""Largest-remainder split of planned hires."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.engine import Headcount, evaluate, split_headcount
from tests.strategies import profiles


@pytest.mark.parametrize(
    ("hires", "share", "expected"),
    [
        (4, 0.7, (3, 1)),  # 2.8 / 1.2
        (4, 0.2, (1, 3)),  # 0.8 / 3.2
        (3, 0.5, (2, 1)),  # 1.5 / 1.5: a tie goes to product engineers
        (1, 0.3, (0, 1)),
        (10, 0.999, (10, 0)),
        (7, 0.0, (0, 7)),
        (7, 1.0, (7, 0)),
    ],
)
def test_split_examples(hires, share, expected):
    assert split_headcount(hires, share) == Headcount(*expected)


@given(st.integers(1, 10_000), st.floats(0, 1))
def test_split_sums_exactly_and_rounds_to_the_nearest(hires, share):
    split = split_headcount(hires, share)
    assert split.product_engineers + split.software_engineers == hires
    assert min(split.product_engineers, split.software_engineers) >= 0
    assert abs(split.product_engineers - hires * share) <= 0.5 + 1e-9


@given(profiles)
def test_headcount_only_with_planned_hires(profile):
    result = evaluate(profile)
    if profile.planned_hires is None:
        assert result.headcount is None
    else:
        assert result.headcount.product_engineers + result.headcount.software_engineers == profile.planned_hires
