"""The factor catalogue covers the contract and stays true to the evidence."""

import re

import pytest

from service.engine import DEFAULT_WEIGHT_PROFILE, FACTORS, team_size_band
from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_BANDS,
)

CONTRACT = {
    "stage": STAGES,
    "product_complexity": PRODUCT_COMPLEXITIES,
    "business_model": BUSINESS_MODELS,
    "priorities": PRIORITIES,
    "customer_access": CUSTOMER_ACCESS,
    "team_size": tuple(band for band, _ in TEAM_SIZE_BANDS),
}
BY_NAME = {f.name: f for f in FACTORS}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_contract_value_has_a_lean_in_range_and_evidence(name):
    factor = BY_NAME[name]
    assert tuple(v.value for v in factor.values) == CONTRACT[name]
    for value in factor.values:
        assert -1 <= value.lean <= 1
        assert value.evidence and all(re.fullmatch(r"E(1[0-3]|[1-9])", e) for e in value.evidence)


@pytest.mark.parametrize("name", ["stage", "team_size", "product_complexity"])
def test_ordered_factors_lean_monotonically_toward_software(name):
    leans = [v.lean for v in BY_NAME[name].values]
    assert leans == sorted(leans, reverse=True)


@pytest.mark.parametrize(
    ("size", "band"), [(0, "first_hire"), (1, "small"), (10, "small"), (11, "mid"), (250, "large"), (1001, "huge")]
)
def test_team_size_bands(size, band):
    assert team_size_band(size) == band


def test_weights_are_positive():
    assert all(w > 0 for w in DEFAULT_WEIGHT_PROFILE.weights.values())
