"""Cases read off the article (../shared/domain/evidence.md, claims E1 to E13), checked against the built-in model.

Each case is a company the article speaks to, the verdict (or, where the article itself weighs two
sides, the verdicts) it supports, and the claims behind that. `python -m tests.unit.test_article_cases`
prints how many pass under each built-in model.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.engine import CompanyProfile, evaluate
from service.engine.weights import BUILT_IN, DEFAULT_WEIGHT_PROFILE

PE, SE, BOTH = "product_engineers", "software_engineers", "both"


@dataclass(frozen=True)
class Case:
    name: str
    profile: CompanyProfile
    expected: frozenset
    claims: tuple[str, ...]


def case(name, stage, team, complexity, model, priorities=(), access=None, *, expect, claims):
    expected = frozenset(expect if isinstance(expect, tuple) else (expect,))
    return Case(name, CompanyProfile(stage, team, complexity, model, tuple(priorities), access), expected, claims)


CASES = [
    # Startups building products users pay for: product engineers.
    case("pre-seed SaaS that wants speed", "pre_seed", 2, "low", "b2b_saas", ["ship_fast"], "direct",
         expect=PE, claims=("E1", "E2", "E5", "E6", "E10")),
    case("seed consumer subscription", "seed", 6, "low", "consumer_subscription", [], "direct",
         expect=PE, claims=("E1", "E2", "E5")),
    case("the first engineering hire of a seed SaaS", "seed", 0, "medium", "b2b_saas",
         expect=PE, claims=("E1", "E5")),
    case("Series A SaaS that wants speed", "series_a", 15, "medium", "b2b_saas", ["ship_fast"], "direct",
         expect=PE, claims=("E1", "E2", "E6")),
    case("seed consumer app that wants speed and new ideas", "seed", 8, "medium", "consumer",
         ["ship_fast", "innovation"], "direct", expect=PE, claims=("E1", "E5", "E6")),
    case("Series A subscription that names growth", "series_a", 25, "low", "consumer_subscription", ["growth"],
         "direct", expect=PE, claims=("E1", "E2", "E11")),
    case("a small team focused on a great product", "series_a", 10, "medium", "other", [], "direct",
         expect=PE, claims=("E5", "E10")),
    case("a mid-sized subscription team that ships fast", "series_b", 30, "low", "consumer_subscription",
         ["ship_fast"], "direct", expect=PE, claims=("E2", "E5", "E6", "E10")),
    case("a Series B SaaS that wants to move fast", "series_b", 80, "medium", "b2b_saas", ["ship_fast"], "direct",
         expect=PE, claims=("E2", "E6", "E10")),
    # Large, technically complex products: software engineers.
    case("public enterprise platform", "public", 800, "very_high", "enterprise_platform", ["scale", "security"],
         "none", expect=SE, claims=("E3", "E4", "E8", "E9")),
    case("growth-stage data platform at scale", "growth", 400, "very_high", "data_platform",
         ["scale", "reliability"], "limited", expect=SE, claims=("E3", "E4", "E8")),
    case("Series C data tool that needs reliability", "series_c", 150, "high", "data_platform", ["reliability"],
         expect=SE, claims=("E3", "E8", "E9")),
    case("public enterprise platform that needs security", "public", 2000, "high", "enterprise_platform",
         ["security"], expect=SE, claims=("E3", "E4", "E8")),
    case("Series B data platform that must scale", "series_b", 60, "very_high", "data_platform", ["scale"],
         expect=SE, claims=("E3", "E4", "E9")),
    case("a large product to scale, secure and keep up", "growth", 300, "high", "other",
         ["scale", "security", "reliability"], "none", expect=SE, claims=("E4", "E8")),
    case("a growth-stage SaaS that must scale and stay up", "growth", 600, "medium", "b2b_saas",
         ["scale", "reliability"], expect=SE, claims=("E4", "E8")),
    # E3 (platforms for large enterprises) against E7 (innovation teams at large companies)
    case("a very large enterprise platform that also wants innovation", "public", 10000, "very_high",
         "enterprise_platform", ["innovation"], expect=(SE, BOTH), claims=("E3", "E7")),
    # Large organisations that want speed or innovation: product engineers added beside the specialists.
    case("large consumer company that wants speed and innovation", "public", 5000, "high", "consumer",
         ["innovation", "ship_fast"], expect=BOTH, claims=("E7", "E13")),
    case("large SaaS company that wants speed and innovation", "public", 3000, "high", "b2b_saas",
         ["innovation", "ship_fast"], expect=BOTH, claims=("E7", "E13")),
    case("an organisation too large to change fast (the Twitter example)", "public", 5000, "medium", "consumer",
         ["ship_fast"], expect=BOTH, claims=("E13",)),
    case("growth-stage SaaS that wants innovation", "growth", 300, "high", "b2b_saas", ["innovation"],
         expect=BOTH, claims=("E7",)),
    case("Series C marketplace that wants speed", "series_c", 100, "medium", "marketplace", ["ship_fast"],
         "limited", expect=BOTH, claims=("E7", "E12", "E13")),
    case("a large, simple subscription product that wants speed", "public", 5000, "low", "consumer_subscription",
         ["ship_fast", "innovation"], "direct", expect=(PE, BOTH), claims=("E2", "E7", "E13")),
    # Mixed signals: both, or a side the article itself weighs.
    # growth leans neither way (E11), so reliability (E8) is the one goal left: software engineers, or both.
    case("Series B marketplace with growth and reliability", "series_b", 40, "medium", "marketplace",
         ["growth", "reliability"], "limited", expect=(SE, BOTH), claims=("E8", "E11", "E12")),
    case("Series B, 50 engineers, nothing else said", "series_b", 50, "medium", "other",
         expect=BOTH, claims=("E12",)),
    case("Series B, 51 engineers, nothing else said", "series_b", 51, "medium", "other",
         expect=BOTH, claims=("E12",)),
    case("growth alone does not tip a balanced profile", "series_b", 40, "medium", "other", ["growth"],
         expect=BOTH, claims=("E11", "E12")),
    case("a growth-stage subscription close to its customers", "growth", 200, "medium", "consumer_subscription",
         [], "direct", expect=BOTH, claims=("E2", "E4", "E10", "E12")),
    case("an early developer tool with a complex core", "series_a", 12, "high", "developer_tools", ["reliability"],
         "limited", expect=BOTH, claims=("E1", "E8", "E9", "E12")),
    case("a complex SaaS that needs reliability", "series_b", 120, "high", "b2b_saas", ["reliability"], "limited",
         expect=(SE, BOTH), claims=("E2", "E3", "E8")),
    case("a Series A SaaS that wants everything at once", "series_a", 20, "medium", "b2b_saas",
         ["ship_fast", "innovation", "growth", "scale", "reliability", "security"], "limited",
         expect=(PE, BOTH), claims=("E2", "E6", "E8", "E12")),
    case("a seed SaaS whose engineers never meet customers", "seed", 6, "low", "b2b_saas", [], "none",
         expect=(PE, BOTH), claims=("E1", "E2", "E10")),
    case("a pre-seed data tool that wants speed", "pre_seed", 3, "high", "data_platform", ["ship_fast"], "direct",
         expect=(PE, BOTH), claims=("E1", "E3", "E6")),
    case("a seed enterprise platform that needs security", "seed", 6, "very_high", "enterprise_platform",
         ["security"], "limited", expect=(SE, BOTH), claims=("E1", "E3", "E8")),
    case("a seed data tool with a very complex core", "seed", 5, "very_high", "data_platform", [], "limited",
         expect=(SE, BOTH), claims=("E1", "E3", "E12")),
    case("a Series C SaaS that wants innovation", "series_c", 250, "medium", "b2b_saas", ["innovation"],
         expect=(PE, BOTH), claims=("E2", "E7")),
]


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
def test_the_built_in_model_answers_each_article_case(item):
    result = evaluate(item.profile, DEFAULT_WEIGHT_PROFILE)
    assert result.recommendation in item.expected, (item.claims, round(result.product_engineer_share, 3))


def test_every_case_cites_claims_of_the_evidence():
    assert len(CASES) >= 30
    assert all(c.claims and all(claim in {f"E{n}" for n in range(1, 14)} for claim in c.claims) for c in CASES)


def passes(model: int) -> int:
    return sum(evaluate(c.profile, BUILT_IN[model]).recommendation in c.expected for c in CASES)


if __name__ == "__main__":
    for number in sorted(BUILT_IN):
        print(f"model {number}: {passes(number)} of {len(CASES)} article cases")
        for c in CASES:
            got = evaluate(c.profile, BUILT_IN[number])
            if got.recommendation not in c.expected:
                print(f"   x {c.name}: {got.recommendation} ({got.product_engineer_share:.3f}), "
                      f"expected {sorted(c.expected)}")
