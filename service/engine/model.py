"""Evaluate a company profile: additive log-odds contributions, a logistic share.

Each factor adds weight x lean to a log-odds sum (positive: toward product
engineers). The logistic of that sum is the product engineer share `p`;
`p` above the upper threshold recommends product engineers, below the lower
one software engineers, and anything between recommends both.

Model 2 (combination logistic-additive-v2) differs in three ways: team size
leans along a smooth curve instead of bands, two interactions add their own
terms (a large team that wants speed, a late stage that wants innovation),
and confidence reads how deep inside its band an answer sits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Union

from service.engine import narrative
from service.engine.catalogue import (
    FACTORS_BY_NAME,
    FIRST_HIRE_REASON,
    INTERACTIONS_BY_NAME,
    LATE_STAGE_LEAN,
    PRIORITIES,
    SPEED_PRIORITIES,
    TEAM_SIZE_REASONS_V2,
    V2_LEANS,
    V2_PRIORITY_REASONS,
    team_size_band,
)
from service.engine.weights import COMBINATION_V2, DEFAULT_WEIGHT_PROFILE, WeightProfile

PRODUCT = "product_engineers"
SOFTWARE = "software_engineers"
BOTH = "both"
NEUTRAL = "neutral"
DIGITS = 4  # rounding of every number a result reports

FactorInput = Union[str, int, tuple[str, ...]]


@dataclass(frozen=True)
class CompanyProfile:
    """What the engine weighs; values are the enums of the public contract."""

    stage: str
    team_size: int
    product_complexity: str
    business_model: str
    priorities: tuple[str, ...] = ()
    customer_access: str | None = None
    planned_hires: int | None = None
    company_name: str | None = None

    def __post_init__(self) -> None:
        # Canonical priority order: the same set always gives the same result.
        given = set(self.priorities)
        ordered = tuple(p for p in PRIORITIES if p in given)
        object.__setattr__(self, "priorities", ordered)


@dataclass(frozen=True)
class PriorityPart:
    """One stated priority's own signed share of the priorities' contribution."""

    priority: str
    lean: float
    contribution: float
    favors: str
    phrase: str


@dataclass(frozen=True)
class Contribution:
    """One factor's signed share of the decision, with its reason."""

    factor: str
    value: FactorInput
    weight: float
    lean: float
    contribution: float
    favors: str
    reason: str
    phrase: str
    parts: tuple[PriorityPart, ...] = ()  # the priorities, one by one


@dataclass(frozen=True)
class InteractionTerm:
    """Model 2: what a combination of factors adds beyond the factors themselves."""

    interaction: str
    weight: float
    strength: float  # 0 to 1: how fully the combination holds
    contribution: float
    favors: str
    reason: str
    evidence: tuple[str, ...]
    phrase: str


@dataclass(frozen=True)
class Headcount:
    product_engineers: int
    software_engineers: int


@dataclass(frozen=True)
class ModelRef:
    weight_profile_id: str
    version: int
    hash: str


@dataclass(frozen=True)
class Evaluation:
    """The explained recommendation for one profile under one weight profile."""

    recommendation: str
    product_engineer_share: float
    log_odds: float
    confidence: float
    headcount: Headcount | None
    factors: tuple[Contribution, ...]
    summary: str
    model: ModelRef
    margin: float = 0.0  # log-odds distance to the nearest threshold
    interactions: tuple[InteractionTerm, ...] = ()

    @property
    def scores(self) -> dict[str, float]:
        p = round(self.product_engineer_share, DIGITS)
        return {PRODUCT: p, SOFTWARE: round(1.0 - p, DIGITS)}


def evaluate(profile: CompanyProfile, weights: WeightProfile = DEFAULT_WEIGHT_PROFILE) -> Evaluation:
    """Score a profile: the recommendation, its confidence and every contribution."""
    table = scoring(weights)
    contributions, exact_terms = table.contributions(profile)
    interactions, at_middle = table.interactions(profile, math.fsum(exact_terms))
    # decide on exact values, show rounded ones
    log_odds = 0.0 if at_middle else math.fsum(exact_terms + [exact for _shown, exact in interactions])
    share = logistic(log_odds)
    recommendation = table.decide(share)
    headcount = None
    if profile.planned_hires is not None:
        headcount = split_headcount(profile.planned_hires, share)
    shown_interactions = tuple(shown for shown, _exact in interactions if shown is not None)
    if table.v2:
        text = narrative.summary_v2(profile, recommendation, share, contributions, shown_interactions, headcount)
    else:
        text = narrative.summary(profile, recommendation, share, contributions, headcount)
    margin = table.margin(log_odds, recommendation)
    return Evaluation(
        recommendation=recommendation,
        product_engineer_share=share,
        log_odds=log_odds,
        confidence=round(table.confidence(margin), DIGITS),
        headcount=headcount,
        factors=contributions,
        summary=text,
        model=table.model,
        margin=round(margin, DIGITS),
        interactions=shown_interactions,
    )


def score(profile: CompanyProfile, weights: WeightProfile = DEFAULT_WEIGHT_PROFILE) -> tuple[str, float]:
    """Only the recommendation and the product engineer share: no texts, for replaying many profiles."""
    table = scoring(weights)
    share = logistic(table.log_odds(profile))
    return table.decide(share), share


FACTOR_ORDER = ("stage", "team_size", "product_complexity", "business_model", "customer_access", "priorities")


def factor_term(name: str, value, weights: WeightProfile) -> tuple | None:
    """(catalogue key, weight, lean) of one factor's value; None when it does not count (not given).

    The one place that says what counts: evaluate(), score() and the
    counterfactuals all add up exactly these terms (kept per weight profile by
    `Scoring`), so they always agree.
    """
    if name == "priorities":
        if not value:
            return None
        return value, weights.weights[name], priorities_lean(value, weights)
    if value is None:
        return None
    if name == "team_size" and weights.team_size_curve is not None:
        return value, weights.weights[name], weights.team_size_curve.lean(value)
    key = team_size_band(value) if name == "team_size" else value
    return key, weights.weights[name], weights.leans[name][key]


def priorities_lean(priorities: tuple[str, ...], weights: WeightProfile) -> float:
    """Each stated priority adds its own lean."""
    leans = weights.leans["priorities"]
    return math.fsum(leans[p] for p in priorities)


def decide(share: float, weights: WeightProfile) -> str:
    """The recommendation a product engineer share gives under the profile's thresholds."""
    return _decide(share, weights.thresholds.lower, weights.thresholds.upper)


def logistic(x: float) -> float:
    """1 / (1 + e^-x), without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def split_headcount(planned_hires: int, share: float) -> Headcount:
    """Largest-remainder split of the hires by share; a tie goes to product engineers."""
    quota = planned_hires * share
    product = math.floor(quota)
    software = math.floor(planned_hires - quota)
    if product + software < planned_hires and quota - product >= (planned_hires - quota) - software:
        product += 1
    return Headcount(product_engineers=product, software_engineers=planned_hires - product)


def scoring(weights: WeightProfile) -> Scoring:
    """The `Scoring` of a weight profile, made on first use and kept with the profile."""
    table = weights.memo.get(Scoring)
    if table is None:
        table = weights.memo[Scoring] = Scoring(weights)
    return table


class Scoring:
    """What one weight profile makes of each factor value, worked out once and then looked up.

    evaluate() runs for every request, yet a factor's contribution depends only
    on its value and the weights, not on the rest of the profile: only the
    team size, whose texts name the number of engineers, is rebuilt each time.
    Every entry comes from `factor_term` and `_contribution`, so a kept value
    is exactly what a fresh computation gives.
    """

    def __init__(self, weights: WeightProfile) -> None:
        self.weights = weights
        self.v2 = weights.combination == COMBINATION_V2
        self.curve = weights.team_size_curve
        # An interaction never weighs more than the factor it grows with (for the late stage, what the
        # stage's lean can take back), so a larger team or a later stage never raises the share, whatever
        # the weights a profile sets: a heavier one counts as that much.
        self.interaction_weights = {} if not self.v2 else {
            "large_team_wants_speed": min(weights.interactions["large_team_wants_speed"],
                                          weights.weights["team_size"]),
            "late_stage_innovation": min(weights.interactions["late_stage_innovation"],
                                         -LATE_STAGE_LEAN * weights.weights["stage"]),
        }
        self.lower, self.upper = weights.thresholds.lower, weights.thresholds.upper
        self.model = ModelRef(weights.id, weights.version, weights.hash)
        self._logits = (_logit(self.lower), _logit(self.upper))
        self._terms: dict[tuple[str, FactorInput], float | None] = {}
        self._contributions: dict[tuple[str, FactorInput], tuple[Contribution, float] | None] = {}
        # Team sizes are open-ended, so only the most recent ones are kept.
        self._team_size_contribution = lru_cache(maxsize=1024, typed=True)(self._team_size_entry)

    def exact_term(self, name: str, value: FactorInput | None) -> float | None:
        """weight x lean of one factor's value; None when it does not count (not given)."""
        if name == "team_size" and self.curve is not None:  # a curve: open-ended, so worked out each time
            return self.weights.weights[name] * self.curve.lean(value)
        key = (name, team_size_band(value) if name == "team_size" and value is not None else value)
        if key not in self._terms:
            found = factor_term(name, value, self.weights)
            self._terms[key] = None if found is None else found[1] * found[2]
        return self._terms[key]

    def exact_terms(self, profile: CompanyProfile) -> dict[str, float]:
        """weight x lean of every factor that counts, by factor, in FACTOR_ORDER."""
        found = {name: self.exact_term(name, getattr(profile, name)) for name in FACTOR_ORDER}
        return {name: term for name, term in found.items() if term is not None}

    def log_odds(self, profile: CompanyProfile) -> float:
        """The exact log-odds sum of a profile: its factors' terms and, under model 2, its interactions'."""
        return self.log_odds_of({name: getattr(profile, name) for name in FACTOR_ORDER})

    def log_odds_of(self, values: dict) -> float:
        """log_odds() of a profile given as {factor: value} (priorities in canonical order): what the
        counterfactuals add up for each alternative without building a profile for it."""
        return self.changed_log_odds(values)({})

    def changed_log_odds(self, values: dict):
        """A function of {factor: other value} giving log_odds_of(values with those changed): the terms of
        the factors left as they are are worked out once, so trying many alternatives costs little."""
        today = {name: self.exact_term(name, values[name]) for name in FACTOR_ORDER}
        interactions_today = self._full_interactions(values["team_size"], values["stage"], values["priorities"]) \
            if self.v2 else []

        def log_odds(changes: dict) -> float:
            terms = [self.exact_term(name, changes[name]) if name in changes else today[name] for name in FACTOR_ORDER]
            terms = [term for term in terms if term is not None]
            if self.v2:
                full = interactions_today
                if changes.keys() & _READ_BY_INTERACTIONS:
                    now = {**values, **changes}
                    full = self._full_interactions(now["team_size"], now["stage"], now["priorities"])
                capped, at_middle = _capped(full, math.fsum(terms))
                if at_middle:
                    return 0.0
                terms.extend(exact for _name, _strength, exact in capped)
            return math.fsum(terms)

        return log_odds

    def interaction_terms(self, profile: CompanyProfile,
                          factors_sum: float) -> tuple[list[tuple[str, float, float]], bool]:
        """(interaction, strength, contribution) of each model 2 interaction that holds, in catalogue order.

        Interactions bring an answer that leans toward software engineers back toward the middle, never past
        it (E7: the specialists stay important): together they add weight x strength, at most as much as
        the factors' sum (`factors_sum`) lies below 0, and nothing when it does not. The flag says whether
        they reach the middle, where the log-odds are exactly 0.
        """
        if not self.v2:
            return [], False
        return _capped(self._full_interactions(profile.team_size, profile.stage, profile.priorities), factors_sum)

    def _full_interactions(self, team_size: int, stage: str, priorities: tuple[str, ...]) -> list[tuple[str, float, float]]:
        """(interaction, strength, weight x strength) of each interaction that holds, before the cap."""
        weights, found = self.interaction_weights, []
        wanted = [p for p in SPEED_PRIORITIES if p in priorities]
        if wanted:
            largeness = max(0.0, -self.curve.lean(team_size))
            strength = (1.0 if len(wanted) == len(SPEED_PRIORITIES) else 0.75) * largeness
            found.append(("large_team_wants_speed", strength, weights["large_team_wants_speed"] * strength))
        if "innovation" in priorities:
            lateness = min(1.0, max(0.0, self.weights.leans["stage"][stage] / LATE_STAGE_LEAN))
            found.append(("late_stage_innovation", lateness, weights["late_stage_innovation"] * lateness))
        return [term for term in found if term[1] > 0 and term[2] != 0]

    def interactions(self, profile: CompanyProfile,
                     factors_sum: float) -> tuple[list[tuple[InteractionTerm, float]], bool]:
        """Each interaction that holds, as shown (rounded, with its reason), and its exact value; and whether
        they reach the middle."""
        shown = []
        terms, at_middle = self.interaction_terms(profile, factors_sum)
        wishes = narrative.joined([narrative.WISHES[p] for p in SPEED_PRIORITIES if p in profile.priorities])
        for name, strength, exact in terms:
            if round(exact, DIGITS) == 0:  # too small to show; it still counts in the sum
                shown.append((None, exact))
                continue
            entry = INTERACTIONS_BY_NAME[name]
            phrase = narrative.INTERACTION_PHRASES[name].format(wishes=wishes)
            reason = entry.reason.format(engineers=narrative.engineers(profile.team_size), priorities=wishes)
            if name == "large_team_wants_speed" and -self.curve.lean(profile.team_size) < 0.25:
                reason = (f"A team of {narrative.engineers(profile.team_size)} is only starting to be large, so "
                          f"wanting to {wishes} adds just a little toward product engineers in small teams.")
            shown.append((InteractionTerm(name, self.interaction_weights[name], round(strength, DIGITS),
                                          round(exact, DIGITS), PRODUCT, reason, entry.evidence, phrase), exact))
        return shown, at_middle

    def contributions(self, profile: CompanyProfile) -> tuple[tuple[Contribution, ...], list[float]]:
        """Every factor that counts, in FACTOR_ORDER: the contributions as shown, and their exact values."""
        shown, exact = [], []
        for name in FACTOR_ORDER:
            value = getattr(profile, name)
            if name == "team_size":
                found = self._team_size_contribution(value)
            else:
                key = (name, value)
                if key not in self._contributions:
                    self._contributions[key] = self._contribution(name, value, None)
                found = self._contributions[key]
            if found is not None:
                shown.append(found[0])
                exact.append(found[1])
        return tuple(shown), exact

    def decide(self, share: float) -> str:
        """The recommendation a product engineer share gives under these thresholds."""
        return _decide(share, self.lower, self.upper)

    def recommendation(self, log_odds: float) -> str:
        """The recommendation a log-odds sum gives under these thresholds."""
        return _decide(logistic(log_odds), self.lower, self.upper)

    def margin(self, log_odds: float, recommendation: str) -> float:
        """How far, in log-odds, the answer sits inside its band: the distance to the nearest threshold."""
        low, high = self._logits
        if recommendation == PRODUCT:
            margin = log_odds - high
        elif recommendation == SOFTWARE:
            margin = low - log_odds
        else:
            margin = min(log_odds - low, high - log_odds)
        return max(margin, 0.0)

    def confidence(self, margin: float) -> float:
        """Model 1: 1 - e^-margin. Model 2: 1 - 10^-(margin / h), h half the width of the `both` band in
        log-odds, so an answer in the middle of `both` and one as far inside its own band both read 0.9."""
        if not self.v2:
            return 1.0 - math.exp(-margin)
        half_band = (self._logits[1] - self._logits[0]) / 2
        if half_band <= 0:  # thresholds equal: no `both` band; fall back to model 1's reading
            return 1.0 - math.exp(-margin)
        return 1.0 - 10.0 ** (-margin / half_band)

    def _team_size_entry(self, team_size: int) -> tuple[Contribution, float] | None:
        return self._contribution("team_size", team_size, narrative.engineers(team_size))

    def _contribution(self, name: str, value, engineers: str | None) -> tuple[Contribution, float] | None:
        found = factor_term(name, value, self.weights)
        if found is None:
            return None
        key, weight, lean = found
        parts = ()
        if name == "priorities":
            leans = self.weights.leans["priorities"]
            built_in = _V2_PRIORITY_LEANS if self.v2 else None
            reason = narrative.priorities_reason(key, leans, weight, built_in=built_in)
            phrase = narrative.priorities_phrase(key)
            parts = tuple(PriorityPart(p, round(leans[p], DIGITS), round(weight * leans[p], DIGITS),
                                       _direction(weight * leans[p]), narrative.priority_phrase(p)) for p in key)
        elif name == "team_size" and self.curve is not None:
            reason, phrase = _team_size_texts_v2(value, lean, weight, engineers)
        else:
            entry = FACTORS_BY_NAME[name].value(key)
            phrase = entry.phrase.format(engineers=engineers)
            if _direction(weight * lean) == _direction(entry.lean):
                reason = entry.reason.format(engineers=engineers)
            else:  # a tuned weight profile turned this value around: say what it does now
                reason = narrative.tuned_reason(phrase, _direction(weight * lean))
        shown, exact = _contribution(name, value, weight, lean, reason, phrase)
        return (replace(shown, parts=parts) if parts else shown), exact


_V2_PRIORITY_LEANS = {p: V2_LEANS.get(("priorities", p), FACTORS_BY_NAME["priorities"].value(p).lean) for p in PRIORITIES}


def _team_size_texts_v2(team_size: int, lean: float, weight: float, engineers: str) -> tuple[str, str]:
    """The reason and the summary phrase for a team size under model 2, chosen by how far its lean goes."""
    first_hire = FACTORS_BY_NAME["team_size"].value("first_hire").phrase
    if weight == 0:
        return "Under this weight profile, team size does not count either way.", f"the team of {engineers}"
    if team_size == 0 and lean > 0.5:
        return FIRST_HIRE_REASON, first_hire
    for bound, _evidence, text, phrase in TEAM_SIZE_REASONS_V2:
        if lean >= bound:
            return text.format(engineers=engineers), phrase.format(engineers=engineers)
    _bound, _evidence, text, phrase = TEAM_SIZE_REASONS_V2[-1]
    return text.format(engineers=engineers), phrase.format(engineers=engineers)


_READ_BY_INTERACTIONS = frozenset({"team_size", "stage", "priorities"})


def _capped(full: list[tuple[str, float, float]], factors_sum: float) -> tuple[list[tuple[str, float, float]], bool]:
    """Interactions bring an answer leaning toward software engineers back toward the middle, never past it:
    scaled down to the room below 0 when they would go further (then the sum is exactly 0: the flag)."""
    wanted = math.fsum(exact for _name, _strength, exact in full)
    room = max(0.0, -factors_sum)
    at_middle = wanted > room > 0
    scale = room / wanted if at_middle else (1.0 if room > 0 else 0.0)
    return [(name, strength, exact * scale) for name, strength, exact in full if exact * scale != 0], at_middle


def _direction(amount: float) -> str:
    return PRODUCT if amount > 0 else SOFTWARE if amount < 0 else NEUTRAL


def _contribution(factor, value, weight, lean, reason, phrase) -> tuple[Contribution, float]:
    """The contribution as shown (rounded), and its exact value."""
    exact = weight * lean
    favors = PRODUCT if exact > 0 else SOFTWARE if exact < 0 else NEUTRAL
    # + 0.0 turns a -0.0 (a lean of exactly nothing, on the side of software engineers) into 0.0
    shown = Contribution(factor, value, weight, round(lean, DIGITS) + 0.0, round(exact, DIGITS) + 0.0, favors, reason,
                         phrase)
    return shown, exact


def _decide(share: float, lower: float, upper: float) -> str:
    if share > upper:
        return PRODUCT
    if share < lower:
        return SOFTWARE
    return BOTH


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))
