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
    team_size_band,
)
from service.engine.records import quick_init
from service.engine.weights import COMBINATION_V2, DEFAULT_WEIGHT_PROFILE, WeightProfile

PRODUCT = "product_engineers"
SOFTWARE = "software_engineers"
BOTH = "both"
NEUTRAL = "neutral"
DIGITS = 4  # rounding of every number a result reports

FactorInput = str | int | tuple[str, ...]


@quick_init
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
        object.__setattr__(self, "priorities", canonical_priorities(self.priorities))


def canonical_priorities(priorities) -> tuple[str, ...]:
    """The priorities given, each once, in catalogue order (kept for the few thousand ways to give them)."""
    try:
        return _CANONICAL[priorities]
    except (KeyError, TypeError):  # TypeError: given as a list
        given = set(priorities)
        ordered = tuple(p for p in PRIORITIES if p in given)
        if isinstance(priorities, tuple) and len(_CANONICAL) < 10_000:
            _CANONICAL[priorities] = ordered
        return ordered


_CANONICAL: dict[tuple, tuple[str, ...]] = {}


@quick_init
@dataclass(frozen=True)
class PriorityPart:
    """One stated priority's own signed share of the priorities' contribution."""

    priority: str
    lean: float
    contribution: float
    favors: str
    phrase: str


@quick_init
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


@quick_init
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


@quick_init
@dataclass(frozen=True)
class Headcount:
    product_engineers: int
    software_engineers: int


@quick_init
@dataclass(frozen=True)
class ModelRef:
    weight_profile_id: str
    version: int
    hash: str


@quick_init
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
    factors_sum = math.fsum(exact_terms)
    interactions, at_middle = table.interactions(profile, factors_sum)
    # decide on exact values, show rounded ones (without interactions, the sum is the factors' own)
    log_odds = 0.0 if at_middle else math.fsum(exact_terms + [exact for _shown, exact in interactions]) \
        if interactions else factors_sum
    share = logistic(log_odds)
    recommendation = PRODUCT if share > table.upper else SOFTWARE if share < table.lower else BOTH  # decide()
    headcount = None
    if profile.planned_hires is not None:
        headcount = split_headcount(profile.planned_hires, share)
    shown_interactions = () if not interactions else tuple(
        [shown for shown, _exact in interactions if shown is not None])
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
        self.tolerance = _tolerance(weights, self.interaction_weights)
        self._bounds = _certain_bounds(weights, self._logits, self.tolerance)
        self.certainty = _certainty(self._bounds)
        self._terms: dict[tuple[str, FactorInput], float | None] = {}
        self._contributions: dict[tuple[str, FactorInput], tuple[Contribution, float] | None] = {}
        # Team sizes are open-ended, so only the most recent ones are kept.
        self._team_size_contribution = lru_cache(maxsize=1024, typed=True)(self._team_size_entry)
        self._interaction_texts = lru_cache(maxsize=1024, typed=True)(self._interaction_text)
        # For the counterfactuals, which add up the log-odds of many alternatives of one profile (see
        # `Alternatives`): team size's weight, the interactions' whole weight, and per value what the
        # interactions make of it; each worked out exactly as `_full_interactions` does.
        self.team_weight = weights.weights["team_size"]
        self.interaction_total = math.fsum(self.interaction_weights.values())
        self.large_team_weight = self.interaction_weights.get("large_team_wants_speed")
        self.late_stage_by_stage = {} if not self.v2 else {
            stage: _late_stage_exact(lean, self.interaction_weights["late_stage_innovation"])
            for stage, lean in weights.leans["stage"].items()
        }
        self._speed_strengths: dict[tuple[str, ...], float | None] = {}

    def exact_term(self, name: str, value: FactorInput | None) -> float | None:
        """weight x lean of one factor's value; None when it does not count (not given)."""
        if name != "team_size":
            key = (name, value)
        elif self.curve is not None:  # a curve: open-ended, so worked out each time
            return self.team_weight * self.curve.lean(value)
        else:
            key = (name, team_size_band(value) if value is not None else value)
        try:
            return self._terms[key]
        except KeyError:
            found = factor_term(name, value, self.weights)
            term = self._terms[key] = None if found is None else found[1] * found[2]
            return term

    def term_list(self, values: dict) -> list[float | None]:
        """exact_term() of each factor in FACTOR_ORDER of a profile given as {factor: value}, the kept ones
        looked up directly."""
        kept, exact_term = self._terms, self.exact_term
        return [kept[(name, values[name])] if name != "team_size" and (name, values[name]) in kept
                else exact_term(name, values[name]) for name in FACTOR_ORDER]

    def exact_terms(self, profile: CompanyProfile) -> dict[str, float]:
        """weight x lean of every factor that counts, by factor, in FACTOR_ORDER."""
        terms, kept = {}, self._terms
        for name in FACTOR_ORDER:
            value = getattr(profile, name)
            key = (name, value)
            term = kept[key] if name != "team_size" and key in kept else self.exact_term(name, value)
            if term is not None:
                terms[name] = term
        return terms

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
        return Alternatives(self, values).log_odds

    def interaction_exacts(self, lean: float, stage: str, priorities: tuple[str, ...]) -> list[float]:
        """weight x strength of each model 2 interaction that holds, before the cap, in catalogue order: the
        numbers of `_full_interactions` for a team whose curve lean is `lean`, without their names."""
        found = []
        if self.v2:
            speed = self.speed_strength(priorities)
            if speed is not None and lean < 0.0:  # else its strength, speed x max(0, -lean), is 0
                strength = speed * -lean
                exact = self.large_team_weight * strength
                if strength > 0 and exact != 0:
                    found.append(exact)
            if "innovation" in priorities:
                late = self.late_stage_by_stage[stage]
                if late is not None:
                    found.append(late)
        return found

    def late_stage_exacts(self, stage: str, priorities: tuple[str, ...]) -> list[float]:
        """Model 2: [weight x strength of late_stage_innovation] when it holds, else []."""
        if "innovation" in priorities:
            late = self.late_stage_by_stage[stage]
            if late is not None:
                return [late]
        return []

    def speed_strength(self, priorities: tuple[str, ...]) -> float | None:
        """What large_team_wants_speed's strength is multiplied by for these priorities (None: it does not
        hold), kept per set of priorities."""
        try:
            return self._speed_strengths[priorities]
        except KeyError:
            wanted = [p for p in SPEED_PRIORITIES if p in priorities]
            found = None if not wanted else 1.0 if len(wanted) == len(SPEED_PRIORITIES) else 0.75
            self._speed_strengths[priorities] = found
            return found

    def interaction_terms(self, profile: CompanyProfile,
                          factors_sum: float) -> tuple[list[tuple[str, float, float]], bool]:
        """(interaction, strength, contribution) of each model 2 interaction that holds, in catalogue order.

        Interactions bring an answer that leans toward software engineers back toward the middle, never past
        it (E7: the specialists stay important): together they add weight x strength, at most as much as
        the factors' sum (`factors_sum`) lies below 0, and nothing when it does not. The flag says whether
        they reach the middle, where the log-odds are exactly 0.
        """
        if not self.v2 or (self.speed_strength(profile.priorities) is None and "innovation" not in profile.priorities):
            return [], False  # no interaction holds (what _capped makes of none)
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
        if not terms:
            return shown, at_middle
        wishes = _wishes(profile.priorities)
        for name, strength, exact in terms:
            rounded = round(exact, DIGITS)
            if rounded == 0:  # too small to show; it still counts in the sum
                shown.append((None, exact))
                continue
            phrase, reason = self._interaction_texts(name, profile.team_size, wishes)
            shown.append((InteractionTerm(name, self.interaction_weights[name], round(strength, DIGITS),
                                          rounded, PRODUCT, reason, INTERACTIONS_BY_NAME[name].evidence, phrase),
                          exact))
        return shown, at_middle

    def _interaction_text(self, name: str, team_size: int, wishes: str) -> tuple[str, str]:
        """(phrase, reason) of an interaction that holds for a team of this size with these wishes (kept for the
        most recent sizes in `_interaction_texts`)."""
        phrase = narrative.INTERACTION_PHRASES[name].format(wishes=wishes)
        reason = INTERACTIONS_BY_NAME[name].reason.format(engineers=narrative.engineers(team_size), priorities=wishes)
        if name == "large_team_wants_speed" and -self.curve.lean(team_size) < 0.25:
            reason = (f"A team of {narrative.engineers(team_size)} is only starting to be large, so "
                      f"wanting to {wishes} adds just a little toward product engineers in small teams.")
        return phrase, reason

    def contributions(self, profile: CompanyProfile) -> tuple[tuple[Contribution, ...], list[float]]:
        """Every factor that counts, in FACTOR_ORDER: the contributions as shown, and their exact values."""
        shown, exact = [], []
        kept = self._contributions
        for name in FACTOR_ORDER:
            if name == "team_size":
                found = self._team_size_contribution(profile.team_size)
            else:
                key = (name, getattr(profile, name))
                try:
                    found = kept[key]
                except KeyError:
                    found = kept[key] = self._contribution(name, key[1], None)
            if found is not None:
                shown.append(found[0])
                exact.append(found[1])
        return tuple(shown), exact

    def decide(self, share: float) -> str:
        """The recommendation a product engineer share gives under these thresholds."""
        return _decide(share, self.lower, self.upper)

    def recommendation(self, log_odds: float) -> str:
        """The recommendation a log-odds sum gives under these thresholds (`_decide`, written out: the
        counterfactuals ask for it dozens of times per profile)."""
        share = logistic(log_odds)
        return PRODUCT if share > self.upper else SOFTWARE if share < self.lower else BOTH

    def surely(self, approximate: float) -> str | None:
        """The recommendation an approximate log-odds sum surely gives (see `_certainty`); None when it lies
        too near a threshold to tell."""
        if self._bounds is None:
            return None
        low_below, low_above, high_below, high_above = self._bounds
        if approximate > high_above:
            return PRODUCT
        if approximate < low_below:
            return SOFTWARE
        if low_above < approximate < high_below:
            return BOTH
        return None

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


@lru_cache(maxsize=128)  # one entry per set of priorities
def _wishes(priorities: tuple[str, ...]) -> str:
    """What the priorities wish for, in words: 'ship fast', 'innovate', 'ship fast and innovate'."""
    return narrative.joined([narrative.WISHES[p] for p in SPEED_PRIORITIES if p in priorities])


def _late_stage_exact(stage_lean: float, weight: float) -> float | None:
    """late_stage_innovation's weight x strength for a stage of this lean; None when it does not hold."""
    lateness = min(1.0, max(0.0, stage_lean / LATE_STAGE_LEAN))
    exact = weight * lateness
    return exact if lateness > 0 and exact != 0 else None


class Alternatives:
    """The exact log-odds of one profile and of its alternatives: the profile with one or two factors changed.

    The counterfactuals try dozens of alternatives per profile, and each differs from the profile in one or
    two factors: the terms of the others are looked up once, here, and only the changed factors' terms and
    (when a change touches team size, stage or priorities) the interactions are worked out again. Each sum is
    made of the same numbers, added in the same order, as `Scoring.log_odds` gives for the changed profile.
    Most alternatives land far from any threshold, and what they recommend is then told from an approximate
    sum instead (see `_certainty`): only those that may change the answer are added up exactly.
    """

    def __init__(self, table: Scoring, values: dict) -> None:
        self.table = table
        self.values = values
        # weight x lean of each factor in FACTOR_ORDER; None for a factor that does not count
        self.terms = table.term_list(values)
        self.all_count = None not in self.terms
        self.team_lean = table.curve.lean(values["team_size"]) if table.v2 else None
        # weight x strength of each interaction that holds, before the cap (none under model 1)
        self.interactions = table.interaction_exacts(self.team_lean, values["stage"], values["priorities"])
        self.today = self._total(self.terms.copy(), self.interactions)
        # what approximate sums start from (see first_flip and approximate_two)
        self.factors_sum = math.fsum(term for term in self.terms if term is not None)
        self.interactions_sum = math.fsum(self.interactions)

    def log_odds(self, changes: dict) -> float:
        """The log-odds of the profile with the factors named in `changes` set to the values given there."""
        if not changes:
            return self.today
        if len(changes) == 1:
            ((name, value),) = changes.items()
            return self.changed(name, value)
        (first, value_a), (second, value_b), *more = changes.items()
        if not more:
            return self.changed_two(first, value_a, second, value_b)
        table, terms = self.table, self.terms.copy()
        for name, value in changes.items():
            terms[_INDEX[name]] = table.exact_term(name, value)
        interactions = self.interactions
        if table.v2 and not changes.keys().isdisjoint(_READ_BY_INTERACTIONS):
            now = {**self.values, **changes}
            lean = table.curve.lean(now["team_size"]) if "team_size" in changes else self.team_lean
            interactions = table.interaction_exacts(lean, now["stage"], now["priorities"])
        return _total(terms, interactions)

    def changed(self, name: str, value: FactorInput) -> float:
        """The log-odds of the profile with one factor changed."""
        if name == "team_size":
            return self.team_size(value)
        table, terms = self.table, self.terms.copy()
        terms[_INDEX[name]] = table.exact_term(name, value)
        interactions = self.interactions
        if name in _READ_BY_INTERACTIONS and table.v2:
            values = self.values
            interactions = table.interaction_exacts(
                self.team_lean, value if name == "stage" else values["stage"],
                value if name == "priorities" else values["priorities"])
        return self._total(terms, interactions)

    def changed_two(self, first: str, value_a: FactorInput, second: str, value_b: FactorInput) -> float:
        """The log-odds of the profile with two factors changed: log_odds({first: value_a, second: value_b})."""
        table, terms = self.table, self.terms.copy()
        terms[_INDEX[first]] = table.exact_term(first, value_a)
        terms[_INDEX[second]] = table.exact_term(second, value_b)
        interactions = self.interactions
        if table.v2 and (first in _READ_BY_INTERACTIONS or second in _READ_BY_INTERACTIONS):
            values = self.values
            team_size, stage, priorities = values["team_size"], values["stage"], values["priorities"]
            for name, value in ((first, value_a), (second, value_b)):
                if name == "team_size":
                    team_size = value
                elif name == "stage":
                    stage = value
                elif name == "priorities":
                    priorities = value
            lean = table.curve.lean(team_size) if "team_size" in (first, second) else self.team_lean
            interactions = table.interaction_exacts(lean, stage, priorities)
        return self._total(terms, interactions)

    def team_size(self, size: int) -> float:
        """The log-odds of the profile with another team size."""
        table, terms = self.table, self.terms.copy()
        if not table.v2:
            terms[_TEAM_SIZE] = table.exact_term("team_size", size)
            return self._total(terms, ())
        lean = table.curve.lean(size)
        terms[_TEAM_SIZE] = table.team_weight * lean
        values = self.values
        return self._total(terms, table.interaction_exacts(lean, values["stage"], values["priorities"]))

    def _total(self, terms: list[float | None], interactions) -> float:
        """_total() of a copy of `self.terms` with some changed: when every factor counted today, only a
        changed one can be None."""
        if not self.all_count or None in terms:
            return _total(terms, interactions)
        return _with_interactions(terms, interactions)

    def first_flip(self, name: str, candidates, current: str) -> tuple | None:
        """The first of `candidates`, (steps, value, term) of other values of the factor `name` (not team
        size), that changes the recommendation from `current`: (steps, value, the log-odds, the new
        recommendation); None when none does.

        Most candidates land far from a threshold: their recommendation is told from an approximate sum,
        the profile's own with the factor's term swapped (see `_certainty`), and only a candidate that may
        change it is added up exactly."""
        table = self.table
        inside_low, inside_high, _, _ = table.certainty[current]
        today = self.terms[_INDEX[name]]
        others_sum = self.factors_sum - (0.0 if today is None else today)
        reads_interactions = table.v2 and name in _READ_BY_INTERACTIONS
        interactions_sum = self.interactions_sum
        for steps, value, term in candidates:
            if reads_interactions:
                interactions_sum = self.interactions_sum_with(name, value)
            factors_sum = others_sum + (0.0 if term is None else term)
            # approximate_log_odds(factors_sum, interactions_sum), written out
            approximate = factors_sum if factors_sum >= 0 else min(factors_sum + interactions_sum, 0.0)
            if inside_low < approximate < inside_high:
                continue  # surely still `current`
            moved = self.changed(name, value)
            outcome = table.recommendation(moved)
            if outcome != current:
                return steps, value, moved, outcome
        return None

    def approximate_two(self, first: str, value_a: FactorInput, second: str, value_b: FactorInput) -> float:
        """changed_two() in plain floating point: off the exact log-odds by no more than `Scoring.tolerance`."""
        table, terms, values = self.table, self.terms, self.values
        factors_sum = self.factors_sum
        for name, value in ((first, value_a), (second, value_b)):
            today, term = terms[_INDEX[name]], table.exact_term(name, value)
            factors_sum += (0.0 if term is None else term) - (0.0 if today is None else today)
        interactions_sum = self.interactions_sum
        if table.v2 and (first in _READ_BY_INTERACTIONS or second in _READ_BY_INTERACTIONS):
            changed = {first: value_a, second: value_b}
            team_size = changed.get("team_size")
            lean = self.team_lean if team_size is None else table.curve.lean(team_size)
            stage, priorities = changed.get("stage", values["stage"]), changed.get("priorities", values["priorities"])
            interactions_sum = 0.0
            speed = table.speed_strength(priorities)
            if speed is not None and lean < 0.0:
                interactions_sum = table.large_team_weight * (speed * -lean)
            if "innovation" in priorities:
                late = table.late_stage_by_stage[stage]
                if late is not None:
                    interactions_sum += late
        return approximate_log_odds(factors_sum, interactions_sum)

    def interactions_sum_with(self, name: str, value: FactorInput) -> float:
        """About what the interactions add up to before the cap with the stage or the priorities changed: the
        terms of `Scoring.interaction_exacts`, added in plain floating point (for approximate sums only)."""
        table = self.table
        stage, priorities = (value, self.values["priorities"]) if name == "stage" else (self.values["stage"], value)
        found = 0.0
        speed = table.speed_strength(priorities)
        if speed is not None and self.team_lean < 0.0:
            found = table.large_team_weight * (speed * -self.team_lean)
        if "innovation" in priorities:
            late = table.late_stage_by_stage[stage]
            if late is not None:
                found += late
        return found

    def flip_size(self, current: str, limit: int) -> int | None:
        """The team size nearest today's, toward `limit`, at which the recommendation changes from `current`
        (the share moves monotonically with team size, so a bisection finds it); None when even `limit` does
        not change it.

        The bisection asks a dozen or more sizes, so what each costs is written out here: only the team
        size's term and large_team_wants_speed change with the size (the curve's lean is worked out once for
        both), and a size far from a threshold is told from an approximate sum (see `_certainty`)."""
        here, table = self.values["team_size"], self.table
        if here == limit:
            return None
        if not table.v2:
            return _bisection(here, limit, lambda size: table.recommendation(self.team_size(size)) != current)
        curve, weight, lower, upper = table.curve, table.team_weight, table.lower, table.upper
        steepness, log_midpoint = curve.steepness, curve.log_midpoint
        inside_low, inside_high, outside_low, outside_high = table.certainty[current]
        before = [term for term in self.terms[:_TEAM_SIZE] if term is not None]
        after = [term for term in self.terms[_TEAM_SIZE + 1:] if term is not None]
        stage, priorities = self.values["stage"], self.values["priorities"]
        speed, large_team_weight = table.speed_strength(priorities), table.large_team_weight
        late = table.late_stage_exacts(stage, priorities)  # whatever the size
        others_sum, late_sum = math.fsum(before + after), math.fsum(late)
        near, far, size, first = here, limit, limit, True  # near never flips, far does; `limit` is asked first
        while True:
            lean = -math.tanh(steepness * (math.log1p(size) - log_midpoint))  # TeamSizeCurve.lean, written out
            term = weight * lean
            interactions, large_team = late, 0.0
            if speed is not None and lean < 0.0:  # as Scoring.interaction_exacts
                strength = speed * -lean
                exact = large_team_weight * strength
                if strength > 0 and exact != 0:
                    interactions, large_team = [exact, *late], exact
            # approximate_log_odds(factors_sum, interactions_sum), written out
            factors_sum = others_sum + term
            approximate = factors_sum if factors_sum >= 0 else min(factors_sum + large_team + late_sum, 0.0)
            if inside_low < approximate < inside_high:
                flips = False
            elif approximate < outside_low or approximate > outside_high:
                flips = True
            else:  # too near a threshold to tell: the exact sum
                share = logistic(_with_interactions([*before, term, *after], interactions))
                flips = (PRODUCT if share > upper else SOFTWARE if share < lower else BOTH) != current
            if first:
                if not flips:
                    return None
                first = False
            elif flips:
                far = size
            else:
                near = size
            if abs(far - near) <= 1:
                return far
            size = (near + far) // 2


def _bisection(here: int, limit: int, flips) -> int | None:
    """The size nearest `here`, toward `limit`, at which `flips` (monotonic) turns true; None when even
    `limit` does not."""
    if not flips(limit):
        return None
    near, far = here, limit  # near never flips, far does
    while abs(far - near) > 1:
        middle = (near + far) // 2
        near, far = (near, middle) if flips(middle) else (middle, far)
    return far


_INDEX = {name: index for index, name in enumerate(FACTOR_ORDER)}
_TEAM_SIZE = _INDEX["team_size"]


def _total(terms: list[float | None], interactions) -> float:
    """The log-odds of factor terms (None: a factor that does not count) and of interactions before their
    cap: what `Scoring.changed_log_odds` has always added up, `_capped` included, in the same order."""
    return _with_interactions([term for term in terms if term is not None], interactions)


def _with_interactions(terms: list[float], interactions) -> float:
    """_total() of the terms of the factors that count (the list is extended)."""
    factors_sum = math.fsum(terms)
    if not interactions:
        return factors_sum
    room = -factors_sum  # max(0.0, -factors_sum) when it matters
    if not room > 0:  # the cap scales every interaction to nothing
        return factors_sum
    if math.fsum(interactions) > room:  # they would go past the middle: the sum is exactly 0
        return 0.0
    terms.extend(interactions)  # the cap keeps them as they are
    return math.fsum(terms)


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


def approximate_log_odds(factors_sum: float, interactions_sum: float) -> float:
    """The log-odds that factors adding up to `factors_sum` and interactions adding up to `interactions_sum`
    (before the cap) give, as `_with_interactions` works them out but in plain floating point: the factors'
    sum alone when it is not below 0 (or when no interaction holds: their sum is 0), else the interactions'
    too, but never past the middle. Off the exact sum by no more than the inputs are, plus a rounding."""
    if factors_sum >= 0:
        return factors_sum
    return min(factors_sum + interactions_sum, 0.0)


def _certainty(bounds: tuple[float, float, float, float] | None) -> dict[str, tuple[float, float, float, float]]:
    """Scoring.certainty: for each recommendation, (a, b, c, d): an approximate log-odds sum x with a < x < b
    surely gives that recommendation, and one with x < c or x > d surely does not.

    The counterfactuals try many alternatives, and most of them land far from any threshold: adding a term
    or two to a sum already known, in plain floating point (see `approximate_log_odds`), tells what they
    recommend without adding every term up again exactly. It is only certain when the sum lies far enough
    from the thresholds that no rounding could carry the exact sum across one (see `_certain_bounds`); in
    between (and always, under extreme weights or thresholds) the exact sum must be made."""
    inf = math.inf
    if bounds is None:
        return dict.fromkeys((PRODUCT, SOFTWARE, BOTH), (inf, -inf, -inf, inf))
    low_below, low_above, high_below, high_above = bounds
    return {
        PRODUCT: (high_above, inf, high_below, inf),
        SOFTWARE: (-inf, low_below, -inf, low_above),
        BOTH: (low_above, high_below, low_below, high_above),
    }


def _tolerance(weights: WeightProfile, interaction_weights: dict) -> float:
    """How far an approximate log-odds sum (see `approximate_log_odds`) can be off the exact one, at most:
    inf when that cannot be told (weights so large it would mean nothing).

    An approximate sum is off by a few roundings of the numbers added, each at most 2^-52 of the largest of
    them; none is more than four times `bound`, the most any sum of terms can reach: 1e-13 x (1 + 4 x bound)
    is over ten times that."""
    bound = sum(abs(weight) for weight in interaction_weights.values())  # strengths are at most 1
    for name, weight in weights.weights.items():
        if name == "team_size" and weights.team_size_curve is not None:
            largest = 1.0  # the curve is a tanh
        else:
            leans = [abs(lean) for lean in weights.leans.get(name, {}).values()]
            # every priority given adds its lean
            largest = sum(leans) if name == "priorities" else max(leans, default=0.0)
        bound += abs(weight) * largest
    if not bound < 1e6:  # also refuses NaN
        return math.inf
    return 1e-13 * (1.0 + 4.0 * bound)


def _certain_bounds(weights: WeightProfile, logits: tuple[float, float],
                    tolerance: float) -> tuple[float, float, float, float] | None:
    """(lower threshold's log-odds - margin, + margin, upper's - margin, + margin): beyond them an
    approximate log-odds sum surely recommends what it seems to (see `_certainty`); None when that can
    never be told (thresholds at the very ends, or weights so large that the margin would mean nothing).

    The margin covers two things: how far the approximate sum can be off the exact one (`tolerance`), and
    then how far the exact sum must lie from the threshold for the share the logistic gives for it, with
    its own rounding, to lie on the same side: with both thresholds between 1e-5 and 1 - 1e-5 the logistic's
    slope there is about 1e-5 or more, so 1e-8 moves the share by 1e-13, over fifty times what the logistic
    and the thresholds' log-odds can be off (a few times 2^-52)."""
    lower, upper = weights.thresholds.lower, weights.thresholds.upper
    if not (1e-5 <= lower and upper <= 1 - 1e-5) or tolerance == math.inf:
        return None
    margin = 1e-8 + tolerance
    low, high = logits
    return low - margin, low + margin, high - margin, high + margin


def capped_exacts(interactions: list[float], factors_sum: float) -> list[float]:
    """_capped() of interactions given by their exact values alone (as `Scoring.interaction_exacts` gives them)."""
    wanted = math.fsum(interactions)
    room = max(0.0, -factors_sum)
    at_middle = wanted > room > 0
    scale = room / wanted if at_middle else (1.0 if room > 0 else 0.0)
    return [exact * scale for exact in interactions if exact * scale != 0]


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
