"""Role profiles, growth engineering, scorecard and note text."""

import pytest
from hypothesis import given

from service.engine import CompanyProfile, evaluate
from service.engine.model import BOTH, PRODUCT, SOFTWARE
from service.engine.roles import growth_engineering, role_profiles
from service.engine.writeback import NOTE_LIMIT, RATINGS, SCORECARD_NAMES, note_text, rating, scorecard
from tests.strategies import company_names, profiles

SEED_SAAS = CompanyProfile("seed", 6, "low", "b2b_saas", ("ship_fast",), "direct", 4)
PUBLIC_PLATFORM = CompanyProfile("public", 800, "very_high", "enterprise_platform", ("scale", "security"), "none", 12)


@pytest.mark.parametrize(("recommendation", "roles"), [(PRODUCT, [PRODUCT]), (SOFTWARE, [SOFTWARE]),
                                                       (BOTH, [PRODUCT, SOFTWARE])])
def test_one_role_profile_per_recommended_role(recommendation, roles):
    assert [r.role for r in role_profiles(SEED_SAAS, recommendation)] == roles


def test_role_profiles_adapt_to_the_company():
    [seed] = role_profiles(SEED_SAAS, PRODUCT)
    [public] = role_profiles(PUBLIC_PLATFORM, SOFTWARE)
    assert seed.title == "Founding Product Engineer, B2B SaaS"
    assert public.title == "Senior Software Engineer, Security"
    assert "seed-stage B2B SaaS" in seed.summary and "public enterprise platform" in public.summary
    assert any("customer calls" in r for r in seed.responsibilities)
    assert any("Threat-model" in r for r in public.responsibilities)
    assert set(seed.responsibilities).isdisjoint(public.responsibilities)
    [late_product] = role_profiles(PUBLIC_PLATFORM, PRODUCT)
    assert late_product.title.startswith("Product Engineer, New Bets")
    assert any("no direct customer contact" in r for r in late_product.responsibilities)


@given(profiles)
def test_every_role_profile_is_complete(profile):
    for role in role_profiles(profile, BOTH):
        assert role.title and role.summary
        assert len(role.responsibilities) >= 4 and len(role.traits) >= 5 and len(role.interview_focus) >= 3


def test_growth_engineering_only_with_the_growth_priority():
    assert growth_engineering(SEED_SAAS) is None
    sentence = growth_engineering(CompanyProfile("seed", 6, "low", "consumer_subscription", ("growth",)))
    assert sentence.count(".") == 1 and "subscriptions" in sentence


@pytest.mark.parametrize(("contribution", "expected"), [(1.0, "strong_yes"), (0.75, "strong_yes"), (0.3, "yes"),
                                                        (0.0, "mixed"), (-0.3, "no"), (-0.75, "definitely_not")])
def test_ratings_follow_the_contribution(contribution, expected):
    assert rating(contribution) == expected


@given(profiles)
def test_the_scorecard_rates_every_factor_in_order_of_pull(profile):
    result = evaluate(profile)
    items = {item.name: item for item in scorecard(result.factors)}
    assert list(items) == list(SCORECARD_NAMES.values()) and all(i.rating in RATINGS for i in items.values())
    counted = sorted(result.factors, key=lambda f: f.contribution)
    ratings = [RATINGS.index(items[SCORECARD_NAMES[f.factor]].rating) for f in counted]
    assert ratings == sorted(ratings)
    for name in set(SCORECARD_NAMES) - {f.factor for f in result.factors}:
        assert items[SCORECARD_NAMES[name]].rating == "mixed"


@given(profiles, company_names.map(lambda name: (name * 10)[:200]))
def test_the_note_is_plain_text_within_2000_characters(profile, long_name):
    for named in (profile, CompanyProfile(**{**profile.__dict__, "company_name": long_name})):
        result = evaluate(named)
        text = note_text(named, result, growth_engineering(named))
        assert len(text) <= NOTE_LIMIT
        ours = text.replace(named.company_name or "", "")  # markup-free apart from what the caller sent
        assert "<" not in ours and "**" not in ours and "#" not in ours
        assert text.startswith("hiremix recommendation") and "Model: wp_default v2" in text


def test_the_note_carries_recommendation_headcount_and_reasons():
    result = evaluate(SEED_SAAS)
    text = note_text(SEED_SAAS, result, None)
    assert "product engineers" in text and "Planned hires: 4 product, 0 software." in text
    assert all(f.reason in text for f in result.factors)


def test_reasons_follow_a_weight_profile_that_turns_a_value_around():
    from service.engine import DEFAULT_WEIGHT_PROFILE
    from service.engine.weights import derive

    tuned = derive(DEFAULT_WEIGHT_PROFILE, id="wp_t", version=1, weights={"stage": 3.0},
                   leans={"stage": {"seed": -1.0}, "customer_access": {"direct": 0.0},
                          "priorities": {"ship_fast": -0.5}})
    result = evaluate(CompanyProfile("seed", 60, "medium", "other", ("ship_fast", "security"), "direct"), tuned)
    by_factor = {f.factor: f for f in result.factors}
    assert by_factor["stage"].favors == "software_engineers"
    assert by_factor["stage"].reason == "Under this weight profile, the seed stage counts toward software engineers."
    assert by_factor["customer_access"].reason.endswith("does not count either way.")
    assert "shipping fast counts toward software engineers under this weight profile" in by_factor["priorities"].reason
    assert "security calls for engineers" in by_factor["priorities"].reason  # unchanged direction, built-in text
    untouched = evaluate(CompanyProfile("seed", 60, "medium", "other"), DEFAULT_WEIGHT_PROFILE)
    assert "Under this weight profile" not in " ".join(f.reason for f in untouched.factors)
