"""Model 2 (wp_default version 2): a smooth team size, interactions, one story from verdict to headcount."""

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.engine import CompanyProfile, evaluate
from service.engine.catalogue import TEAM_SIZE_MAX
from service.engine.counterfactuals import change_note, what_would_change_v2
from service.engine.model import logistic, split_headcount
from service.engine.roles import role_profiles_v2
from service.engine.weights import MODEL_V1, MODEL_V2, derive, upgrade
from service.engine.writeback import RATINGS, scorecard_for
from tests.strategies import profiles

PE, SE = "product_engineers", "software_engineers"


def share(profile, weights=MODEL_V2):
    return evaluate(profile, weights).product_engineer_share


@settings(max_examples=300)
@given(profiles, st.integers(0, TEAM_SIZE_MAX - 1))
def test_one_more_engineer_never_moves_the_share_by_more_than_two_points(profile, size):
    assert abs(share(replace(profile, team_size=size + 1)) - share(replace(profile, team_size=size))) <= 0.02


def test_the_largest_jump_for_one_more_engineer_is_far_below_two_points():
    """Every size from 0 to 2,000 (where the curve is steepest) for the profiles with the strongest team pull."""
    worst = 0.0
    for priorities in ((), ("ship_fast", "innovation")):
        for stage in ("series_b", "public"):
            base = CompanyProfile(stage, 0, "medium", "other", priorities)
            shares = [share(replace(base, team_size=n)) for n in range(2001)]
            worst = max(worst, max(abs(b - a) for a, b in zip(shares, shares[1:])))
    assert worst < 0.01


def test_the_team_size_cliff_is_gone():
    fifty, fifty_one = (evaluate(CompanyProfile("series_b", n, "medium", "other")) for n in (50, 51))
    assert fifty.recommendation == fifty_one.recommendation == "both"
    assert abs(fifty.product_engineer_share - fifty_one.product_engineer_share) < 0.005


@given(profiles)
def test_the_share_is_the_logistic_of_every_contribution_and_interaction(profile):
    result = evaluate(profile)
    total = math.fsum([c.contribution for c in result.factors] + [i.contribution for i in result.interactions])
    assert result.log_odds == pytest.approx(total, abs=1e-3)
    assert result.product_engineer_share == pytest.approx(logistic(result.log_odds))


def test_a_large_organisation_that_wants_speed_gets_both():
    for model in ("consumer", "b2b_saas"):
        result = evaluate(CompanyProfile("public", 5000, "high", model, ("innovation", "ship_fast")))
        assert result.recommendation == "both"
        assert {i.interaction for i in result.interactions} == {"large_team_wants_speed", "late_stage_innovation"}
        assert all(i.evidence and i.favors == PE for i in result.interactions)


def test_interactions_hold_only_for_their_combination():
    def strengths(team, priorities, stage="series_b"):
        result = evaluate(CompanyProfile(stage, team, "very_high", "data_platform", priorities))
        return {i.interaction: i.strength for i in result.interactions}

    assert strengths(40, ("ship_fast",)) == {}  # at the midpoint team size leans neither way: not large
    grown = [strengths(n, ("ship_fast",))["large_team_wants_speed"] for n in (100, 1000, 100000)]
    assert 0 < grown[0] < grown[1] < grown[2] <= 0.75  # grows with size; one wish of two
    assert strengths(100000, ("ship_fast", "innovation"))["large_team_wants_speed"] > 0.99
    assert strengths(100000, ("scale",)) == {}  # a large team that does not want speed
    assert strengths(5, ("innovation",), "public") == {"late_stage_innovation": 1.0}
    assert strengths(5, ("innovation",), "series_b") == {}


def test_interactions_bring_a_software_answer_to_the_middle_and_never_past_it():
    already_product = evaluate(CompanyProfile("public", 5000, "low", "b2b_saas", ("ship_fast", "innovation"),
                                              "direct"))
    assert already_product.interactions == ()  # it leans toward product engineers without them
    capped = evaluate(CompanyProfile("series_c", 300, "medium", "data_platform", ("ship_fast", "innovation"),
                                     "direct"))
    assert capped.log_odds == 0.0 and capped.product_engineer_share == 0.5


@given(profiles, st.sampled_from([{"stage": 0.2}, {"team_size": 0.3}, {"stage": 0.1, "team_size": 0.1}]))
def test_a_tuned_profile_with_light_factors_keeps_the_directions_too(profile, weights):
    tuned = derive(MODEL_V2, id="wp_t", version=1, weights=weights)
    sizes = [share(replace(profile, team_size=n), tuned) for n in (0, 40, 100, 1000, 100000)]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(sizes, sizes[1:]))
    stages = [share(replace(profile, stage=s), tuned) for s in ("series_b", "series_c", "growth", "public")]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(stages, stages[1:]))
    moved = upgrade(derive(MODEL_V1, id="wp_t", version=1, weights=weights), id="wp_t", version=2)
    stages = [share(replace(profile, stage=s), moved) for s in ("series_b", "series_c", "growth", "public")]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(stages, stages[1:]))


@given(profiles)
def test_growth_alone_leans_neither_way_and_keeps_its_add_on(profile):
    without = replace(profile, priorities=tuple(p for p in profile.priorities if p != "growth"))
    assert share(replace(without, priorities=(*without.priorities, "growth"))) == pytest.approx(share(without))


def test_confidence_reads_alike_for_both_in_the_middle_and_a_verdict_as_far_inside_its_band():
    half_band = (math.log(0.6 / 0.4) - math.log(0.4 / 0.6)) / 2
    table = __import__("service.engine.model", fromlist=["scoring"]).scoring(MODEL_V2)
    assert table.confidence(half_band) == pytest.approx(0.9)
    middle = evaluate(CompanyProfile("series_b", 40, "medium", "other"))  # log-odds 0: the middle of `both`
    assert middle.recommendation == "both" and middle.confidence == pytest.approx(0.9, abs=1e-3)
    assert middle.margin == pytest.approx(half_band, abs=1e-3)


@given(profiles)
def test_confidence_grows_with_the_margin_and_margin_is_the_distance_to_a_threshold(profile):
    result = evaluate(profile)
    lower, upper = math.log(0.4 / 0.6), math.log(0.6 / 0.4)
    expected = {PE: result.log_odds - upper, SE: lower - result.log_odds,
                "both": min(result.log_odds - lower, upper - result.log_odds)}[result.recommendation]
    assert result.margin == pytest.approx(max(expected, 0.0), abs=1e-3)
    assert 0 <= result.confidence <= 1


@given(profiles.filter(lambda p: p.planned_hires is not None))
def test_a_role_profile_and_its_scorecard_for_every_role_that_gets_hires(profile):
    result = evaluate(profile)
    roles = role_profiles_v2(profile, result.recommendation, result.headcount,
                             lambda role: scorecard_for(result.factors, role))
    hired = {role for role, count in ((PE, result.headcount.product_engineers),
                                      (SE, result.headcount.software_engineers)) if count > 0}
    assert {r.role for r in roles} == hired
    if result.recommendation in hired:  # the verdict's own role comes first
        assert roles[0].role == result.recommendation
    for role in roles:
        assert [item.factor for item in role.scorecard] == [f.factor for f in result.factors]
        assert all(item.rating in RATINGS for item in role.scorecard)


def test_a_role_scorecard_rates_for_its_own_role():
    result = evaluate(CompanyProfile("public", 800, "very_high", "enterprise_platform", ("scale",), "none", 4))
    software = {item.factor: item.rating for item in scorecard_for(result.factors, SE)}
    product = {item.factor: item.rating for item in scorecard_for(result.factors, PE)}
    assert software["product_complexity"] == "strong_yes" and product["product_complexity"] == "definitely_not"


@given(profiles)
def test_no_sentence_gives_a_pull_the_wrong_direction(profile):
    """Every phrase the summary says pulls one way (each priority, factor and interaction) pulls that way."""
    result = evaluate(profile)
    pulls = {p.phrase: p.contribution for f in result.factors for p in f.parts}
    pulls.update({f.phrase: f.contribution for f in result.factors if not f.parts})
    pulls.update({i.phrase: i.contribution for i in result.interactions})
    text = result.summary.lower()
    for phrase, amount in pulls.items():
        said = phrase.lower()
        for match in re.finditer(re.escape(said) + r"(?:, which)? pulls toward (product|software) engineers", text):
            assert (amount > 0) == (match.group(1) == "product"), (phrase, text)
        if f"while {said} pulls the other way" in text:
            assert (amount > 0) == (result.recommendation == SE), text
        supporting = re.search(r"the strongest reasons? (?:is|are) (.*?)(?:, while|\.)", text)
        if supporting and said in supporting.group(1):
            assert (amount > 0) == (result.recommendation == PE), text
    # the priorities are never named as one lump any more
    assert not re.search(r"priority on \w+( \w+)?(, \w+)* and \w+ pulls", text)


def test_contradictory_priorities_are_explained_one_by_one():
    result = evaluate(CompanyProfile("series_b", 40, "medium", "other",
                                     ("ship_fast", "innovation", "growth", "scale", "reliability", "security")))
    [priorities] = [f for f in result.factors if f.factor == "priorities"]
    signs = {p.priority: p.favors for p in priorities.parts}
    assert signs == {"ship_fast": PE, "innovation": PE, "growth": "neutral", "scale": SE, "reliability": SE,
                     "security": SE}
    assert math.fsum(p.contribution for p in priorities.parts) == pytest.approx(priorities.contribution, abs=1e-3)


@given(profiles.filter(lambda p: p.planned_hires is not None and p.planned_hires > 1))
def test_the_summary_names_the_minority_hires_and_why(profile):
    result = evaluate(profile)
    counts = result.headcount
    if min(counts.product_engineers, counts.software_engineers) > 0 and \
            counts.product_engineers != counts.software_engineers:
        minority = "product" if counts.product_engineers < counts.software_engineers else "software"
        assert re.search(rf"(reflects? .* which pulls toward {minority} engineers|the split follows the product "
                         rf"engineer share)", result.summary), result.summary


def test_two_hires_read_as_both_and_large_numbers_carry_separators():
    two = evaluate(CompanyProfile("seed", 6, "low", "b2b_saas", planned_hires=2))
    assert "Both planned hires should be product engineers." in two.summary and "All 2" not in two.summary
    many = evaluate(CompanyProfile("public", 10000, "very_high", "data_platform", ("scale",), "none", 10000))
    assert "10,000" in many.summary and "10000" not in many.summary


@given(profiles)
def test_what_would_change_always_says_something_and_every_change_is_true(profile):
    singles, pair = what_would_change_v2(profile, MODEL_V2)
    before = evaluate(profile).recommendation
    assert change_note(singles, pair)
    for change in singles:
        assert evaluate(replace(profile, **{change.factor: change.to})).recommendation == change.recommendation != before
    if pair is not None:
        assert not singles
        changed = replace(profile, **{c.factor: c.to for c in pair.changes})
        assert evaluate(changed).recommendation == pair.recommendation != before


def test_a_clear_answer_says_so_and_an_almost_clear_one_offers_two_changes():
    clear, pair = what_would_change_v2(CompanyProfile("seed", 6, "low", "b2b_saas", ("ship_fast",), "direct"),
                                       MODEL_V2)
    assert clear == () and pair is None
    assert "No change of one factor, or of two together" in change_note(clear, pair)
    found = None
    for stage in ("seed", "series_a"):
        for complexity in ("low", "medium"):
            profile = CompanyProfile(stage, 8, complexity, "b2b_saas", ("ship_fast",), "direct")
            singles, pair = what_would_change_v2(profile, MODEL_V2)
            if not singles and pair is not None:
                found = pair
    assert found is not None and len(found.changes) == 2


def test_the_team_size_change_is_the_nearest_size_that_flips():
    profile = CompanyProfile("series_b", 40, "medium", "other")
    singles, _pair = what_would_change_v2(profile, MODEL_V2)
    [team] = [c for c in singles if c.factor == "team_size"]
    flipped = evaluate(replace(profile, team_size=team.to)).recommendation
    one_short = team.to - 1 if team.to > profile.team_size else team.to + 1
    assert flipped != "both" and evaluate(replace(profile, team_size=one_short)).recommendation == "both"


def test_model_1_hashes_are_untouched_and_model_2_is_its_own():
    assert MODEL_V1.hash == "sha256:e7eeeb22f5abb8733270ba6a71fdaccbefbe59ad58c8fbb11d805e599134793d"
    assert MODEL_V2.hash != MODEL_V1.hash and MODEL_V2.combination == "logistic-additive-v2"
    assert "team_size" not in MODEL_V2.leans and MODEL_V2.leans["priorities"]["growth"] == 0.0


def test_upgrading_a_model_1_profile_keeps_its_own_choices():
    mine = derive(MODEL_V1, id="wp_mine", version=3, weights={"priorities": 2.0}, lower=0.3,
                  leans={"priorities": {"security": -1.0}, "team_size": {"huge": -0.5}})
    moved = upgrade(mine, id="wp_mine", version=4)
    assert moved.model_version == 2 and moved.version == 4
    assert moved.weights["priorities"] == 2.0 and moved.thresholds.lower == 0.3
    assert moved.leans["priorities"]["security"] == -1.0  # a lean its owner chose
    assert moved.leans["priorities"]["growth"] == 0.0  # a lean its owner left alone takes model 2's
    assert "team_size" not in moved.leans and moved.team_size_curve == MODEL_V2.team_size_curve


def test_headcount_still_splits_by_share():
    result = evaluate(CompanyProfile("public", 5000, "high", "consumer", ("innovation", "ship_fast"), None, 10))
    assert result.headcount == split_headcount(10, result.product_engineer_share)
    assert result.headcount.product_engineers == round(10 * result.product_engineer_share)


def test_one_hire_under_a_both_verdict_says_which_comes_first_and_which_next():
    result = evaluate(CompanyProfile("public", 5000, "high", "consumer", ("innovation", "ship_fast"), None, 1))
    assert result.recommendation == "both"
    assert "The one planned hire should be a software engineer" in result.summary
    assert "the next should be a product engineer" in result.summary


def test_the_built_in_profile_never_speaks_as_a_tuned_one():
    at_midpoint = evaluate(CompanyProfile("series_b", 40, "medium", "other"))
    [team] = [f for f in at_midpoint.factors if f.factor == "team_size"]
    assert "Under this weight profile" not in team.reason and team.lean == 0.0 and str(team.contribution) == "0.0"


def test_the_team_size_phrase_agrees_with_its_reason():
    result = evaluate(CompanyProfile("series_b", 12, "medium", "other", planned_hires=3))
    assert "small team of 12 engineers" in result.summary and "mid-sized" not in result.summary


def test_interaction_words_follow_the_wishes_stated():
    result = evaluate(CompanyProfile("growth", 1557, "high", "consumer", ("innovation", "growth"), None, 4))
    assert "wanting to innovate at this size" in result.summary and "speed" not in result.summary
    [large] = [i for i in result.interactions if i.interaction == "large_team_wants_speed"]
    assert "that wants to innovate gains" in large.reason


def test_an_even_share_with_one_hire_does_not_claim_a_lean():
    result = evaluate(CompanyProfile("series_c", 251, "medium", "b2b_saas", ("ship_fast", "innovation", "reliability"),
                                     "none", 1))
    assert result.product_engineer_share == 0.5 and "can be either kind" in result.summary


def test_the_ats_note_gives_the_interactions_as_reasons_too():
    from service.engine.roles import growth_engineering
    from service.engine.writeback import note_text

    profile = CompanyProfile("public", 5000, "high", "consumer", ("ship_fast", "innovation"))
    result = evaluate(profile)
    text = note_text(profile, result, growth_engineering(profile))
    assert all(i.reason in text for i in result.interactions)
