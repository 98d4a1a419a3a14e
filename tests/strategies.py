"""Hypothesis strategies over the whole input space of the contract."""

import re

from hypothesis import strategies as st

from schemas.fields import PLAIN_TEXT_PATTERN

from service.engine import CompanyProfile
from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PLANNED_HIRES_MAX,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_MAX,
)

team_sizes = st.one_of(st.integers(0, 300), st.integers(0, TEAM_SIZE_MAX))
priority_sets = st.lists(st.sampled_from(PRIORITIES), unique=True, max_size=len(PRIORITIES)).map(tuple)

# One visible line, as the contract allows (its documented pattern); no sentence ends, so summaries can be counted.
company_names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=".!?"), min_size=1, max_size=40
).filter(lambda name: re.fullmatch(PLAIN_TEXT_PATTERN[1:-1], name))

profiles = st.builds(
    CompanyProfile,
    stage=st.sampled_from(STAGES),
    team_size=team_sizes,
    product_complexity=st.sampled_from(PRODUCT_COMPLEXITIES),
    business_model=st.sampled_from(BUSINESS_MODELS),
    priorities=priority_sets,
    customer_access=st.one_of(st.none(), st.sampled_from(CUSTOMER_ACCESS)),
    planned_hires=st.one_of(st.none(), st.integers(1, PLANNED_HIRES_MAX)),
    company_name=st.one_of(st.none(), company_names),
)


def as_payload(profile: CompanyProfile) -> dict:
    """The JSON body a caller would send for this profile."""
    payload = {
        "stage": profile.stage,
        "team_size": profile.team_size,
        "product_complexity": profile.product_complexity,
        "business_model": profile.business_model,
        "priorities": list(profile.priorities),
    }
    for name in ("customer_access", "planned_hires", "company_name"):
        if getattr(profile, name) is not None:
            payload[name] = getattr(profile, name)
    return payload
