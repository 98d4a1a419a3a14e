"""The texts: plain sentences, our own words, true to the numbers."""

import os
import re
from pathlib import Path

import pytest
from hypothesis import given

from service.engine import CompanyProfile, evaluate
from service.engine.catalogue import FACTORS
from service.engine.card import HOW_IT_COMBINES
from service.engine.narrative import percent
from service.engine.roles import growth_engineering, role_profiles
from tests.strategies import profiles

ROLE_VARIETY = [
    CompanyProfile(stage, size, complexity, model, priorities, access)
    for stage, size, complexity, model, priorities, access in [
        ("pre_seed", 0, "low", "b2b_saas", ("ship_fast", "growth"), "direct"),
        ("series_a", 30, "high", "data_platform", ("security",), "limited"),
        ("public", 800, "very_high", "enterprise_platform", ("scale", "reliability"), "none"),
        ("growth", 300, "medium", "consumer_subscription", ("growth", "innovation"), None),
        ("series_b", 60, "medium", "developer_tools", (), None),
        ("seed", 5, "low", "marketplace", ("reliability",), "direct"),
        ("series_c", 120, "high", "consumer", ("scale",), "limited"),
        ("seed", 3, "medium", "other", (), None),
    ]
]
ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "source-article.txt"


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


@given(profiles)
def test_summary_has_two_or_three_sentences(profile):
    assert len(sentences(evaluate(profile).summary)) in (2, 3)


@given(profiles)
def test_summary_names_the_recommendation(profile):
    result = evaluate(profile)
    words = {
        "product_engineers": "recommends product engineers",
        "software_engineers": "recommends software engineers",
        "both": "mix of product and software engineers",
    }
    assert words[result.recommendation] in result.summary


def test_summary_states_the_headcount_split():
    result = evaluate(CompanyProfile("growth", 300, "medium", "consumer_subscription", ("ship_fast",), None, 5))
    split = result.headcount
    assert f"Of the 5 planned hires, {split.product_engineers} should be" in result.summary


def test_summary_uses_the_company_name():
    result = evaluate(CompanyProfile("seed", 1, "low", "b2b_saas", company_name="Acme"))
    assert result.summary.startswith("For Acme, a seed-stage B2B SaaS company with 1 engineer,")


@pytest.mark.parametrize(("share", "shown"), [(0.999, "over 99%"), (0.004, "under 1%"), (0.5649, "56%")])
def test_percentages_never_claim_certainty(share, shown):
    assert percent(share) == shown


def _article_ngrams(n=7):
    words = re.findall(r"[a-z']+", ARTICLE.read_text(encoding="utf-8").lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_text_copies_the_source_article():
    if not ARTICLE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{ARTICLE} is missing in CI")
        pytest.skip("../shared is not beside this clone")
    article = _article_ngrams()
    texts = [v.reason for f in FACTORS for v in f.values] + [f.description for f in FACTORS] + [HOW_IT_COMBINES]
    texts += [evaluate(CompanyProfile("seed", 4, "low", "b2b_saas", ("ship_fast",), "direct", 3)).summary]
    # model 2's own words: interactions, team-size reasons, growth, the model card's rules, docs/model.md
    from service.engine.card import CONFIDENCE, HOW_IT_COMBINES_V2, RULES
    from service.engine.catalogue import INTERACTIONS, TEAM_SIZE_REASONS_V2, V2_PRIORITY_REASONS

    texts += [i.description for i in INTERACTIONS] + [i.reason for i in INTERACTIONS]
    texts += [text for _bound, _evidence, *pair in TEAM_SIZE_REASONS_V2 for text in pair]
    texts += list(V2_PRIORITY_REASONS.values())
    texts += [HOW_IT_COMBINES_V2, *RULES.values(), *CONFIDENCE.values()]
    texts += [evaluate(CompanyProfile("public", 5000, "high", "consumer", ("ship_fast", "innovation"), None, 7)).summary]
    texts += [(Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text(encoding="utf-8")]
    for profile in ROLE_VARIETY:
        for role in role_profiles(profile, "both"):
            texts += [role.title, role.summary, *role.responsibilities, *role.traits, *role.interview_focus]
        texts.append(growth_engineering(profile) or "")
    for text in texts:
        words = re.findall(r"[a-z']+", text.lower())
        copied = [g for g in zip(*(words[i:] for i in range(7))) if g in article]
        assert not copied, (text, copied)
