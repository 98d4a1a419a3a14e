"""What would change the answer: for each factor, the nearest other value that flips it.

"Nearest" counts steps along the factor's own order (stages, team-size bands,
complexity levels, customer access), one step for another business model, and
one step for adding or dropping a single priority. Entries come smallest
change first; among equal steps, the one that moves the score least first.
Every entry is exact: the same terms that evaluate() adds up are re-added with
one factor changed, so replaying the change gives the stated recommendation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter

from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_BANDS,
    TEAM_SIZE_MAX,
    team_size_band,
)
from service.engine.model import (
    _READ_BY_INTERACTIONS,
    PRODUCT,
    SOFTWARE,
    CompanyProfile,
    FactorInput,
    Scoring,
    factor_term,
    scoring,
)
from service.engine.weights import WeightProfile

_ORDERED = {"stage": STAGES, "product_complexity": PRODUCT_COMPLEXITIES, "customer_access": CUSTOMER_ACCESS}
_FACTOR_ORDER = ("stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access")


@dataclass(frozen=True)
class Change:
    """Changing only `factor` from `from_` to `to` makes the engine recommend `recommendation`."""

    factor: str
    from_: FactorInput | None
    to: FactorInput
    recommendation: str
    steps: int
    shift: float  # how far the log-odds move; smaller is the gentler change


def what_would_change(profile: CompanyProfile, weights: WeightProfile) -> tuple[Change, ...]:
    """At most one change per factor, each the nearest that flips the recommendation."""
    table = scoring(weights)
    exact = table.exact_terms(profile)
    current = table.recommendation(math.fsum(exact.values()))
    nearest: list[Change] = []
    for factor in _FACTOR_ORDER:
        others = [term for name, term in exact.items() if name != factor]
        for steps, shift, value, term in _nearest_first(table, profile, factor):
            outcome = table.recommendation(math.fsum(others if term is None else others + [term]))
            if outcome != current:
                nearest.append(Change(factor, getattr(profile, factor), value, outcome, steps, shift))
                break
    return tuple(sorted(nearest, key=lambda c: (c.steps, c.shift, _FACTOR_ORDER.index(c.factor))))


def _nearest_first(table: Scoring, profile: CompanyProfile, factor: str) -> tuple:
    """(steps, shift, other value, its exact term) of each alternative, fewest steps then smallest shift first.

    The first of these that flips the recommendation is the nearest change. The
    sort is stable, so equally near alternatives keep the order _alternatives()
    gives them. The list depends only on the factor's catalogue key and the
    weights, so it is kept with the weight profile.
    """
    value = getattr(profile, factor)
    key = ("alternatives", factor, team_size_band(value) if factor == "team_size" else value)
    kept = table.weights.memo.get(key)
    if kept is None:
        today = table.exact_term(factor, value) or 0.0
        ranked = []
        for other, steps in _alternatives(profile, factor):
            found = factor_term(factor, other, table.weights)
            term = None if found is None else found[1] * found[2]
            ranked.append((steps, abs((term or 0.0) - today), other, term))
        kept = table.weights.memo[key] = tuple(sorted(ranked, key=itemgetter(0, 1)))
    return kept


def _alternatives(profile: CompanyProfile, factor: str) -> tuple[tuple[FactorInput, int], ...]:
    """(other value, steps away) for every value the factor could take instead."""
    if factor == "team_size":
        return _other_team_sizes(team_size_band(profile.team_size))
    return _other_values(factor, getattr(profile, factor))


@lru_cache(maxsize=256)  # the catalogue has under a hundred (factor, value) pairs
def _other_values(factor: str, value: FactorInput | None) -> tuple[tuple[FactorInput, int], ...]:
    if factor == "business_model":
        return tuple((model, 1) for model in BUSINESS_MODELS if model != value)
    if factor == "priorities":
        given = set(value)
        changed = (given ^ {priority} for priority in PRIORITIES)  # add it, or drop it
        return tuple((tuple(p for p in PRIORITIES if p in now), 1) for now in changed)
    order = _ORDERED[factor]
    # Customer access that was not given starts one step from each answer.
    here = order.index(value) if value is not None else None
    return tuple((other, 1 if here is None else abs(index - here))
                 for index, other in enumerate(order) if other != value)


@lru_cache(maxsize=None)  # one entry per band
def _other_team_sizes(band: str) -> tuple[tuple[int, int], ...]:
    """For each other band, the team size in it closest to today's band, and how many bands away."""
    bands = [name for name, _upper in TEAM_SIZE_BANDS]
    here = bands.index(band)
    others = []
    for index, (_name, upper) in enumerate(TEAM_SIZE_BANDS):
        if index < here:
            others.append((upper, here - index))
        elif index > here:
            others.append((TEAM_SIZE_BANDS[index - 1][1] + 1, index - here))
    return tuple(others)


# --- model 2 ---------------------------------------------------------------------------------------------------
# Interactions tie factors together, so each alternative is scored as a whole profile (the same log-odds
# evaluate() computes), and team size, now a smooth curve, changes to the nearest size that flips the answer.

@dataclass(frozen=True)
class PairChange:
    """Changing two factors at once, when no single change can, makes the engine recommend `recommendation`."""

    changes: tuple[Change, Change]
    recommendation: str


def what_would_change_v2(profile: CompanyProfile, weights: WeightProfile) -> tuple[tuple[Change, ...], PairChange | None]:
    """The nearest single change per factor (as model 1), and, only when there is none, the nearest change
    of two factors."""
    table = scoring(weights)
    today_values = {factor: getattr(profile, factor) for factor in _FACTOR_ORDER}
    changed = table.changed_log_odds(today_values)
    today = changed({})
    current = table.recommendation(today)
    nearest = []
    need = table.margin(today, current)
    slack = _slack(table, profile, current)
    for factor in _FACTOR_ORDER:
        if factor != "team_size" and _reach(table, today_values, factor, current) + (
                slack if factor in _READ_BY_INTERACTIONS else 0.0) < need:
            continue  # no value of this factor moves the log-odds as far as the nearest threshold
        for steps, value in _candidates_v2(table, changed, today_values, factor, current):
            moved = changed({factor: value})
            outcome = table.recommendation(moved)
            if outcome != current:
                nearest.append(Change(factor, today_values[factor], value, outcome, steps, abs(moved - today)))
                break
    singles = tuple(sorted(nearest, key=lambda c: (c.steps, c.shift, _FACTOR_ORDER.index(c.factor))))
    return singles, (None if singles else _nearest_pair(table, changed, today_values, today, current, slack))


def _candidates_v2(table: Scoring, changed, values: dict, factor: str, current: str):
    """(steps, value) of each alternative, nearest first; for team size, the nearest sizes that flip, if any."""
    if factor != "team_size":
        ranked = sorted(_other_values(factor, values[factor]), key=itemgetter(1))
        return [(steps, value) for value, steps in ranked]
    found = []
    for limit in (0, TEAM_SIZE_MAX):
        size = _flip_size(table, changed, values, current, limit)
        if size is not None:
            found.append((1, size))
    return sorted(found, key=lambda pair: abs(pair[1] - values["team_size"]))


def _flip_size(table: Scoring, changed, values: dict, current: str, limit: int) -> int | None:
    """The team size nearest today's, toward `limit`, at which the recommendation changes (the share moves
    monotonically with team size, so a bisection finds it); None when even `limit` does not change it."""
    def flips(size: int) -> bool:
        return table.recommendation(changed({"team_size": size})) != current

    here = values["team_size"]
    if here == limit or not flips(limit):
        return None
    near, far = here, limit  # near never flips, far does
    while abs(far - near) > 1:
        middle = (near + far) // 2
        near, far = (near, middle) if flips(middle) else (middle, far)
    return far


_PAIR_TEAM_SIZES = (0, 10, 50, 250, 1000, TEAM_SIZE_MAX)


def _slack(table: Scoring, profile: CompanyProfile, current: str) -> float:
    """How much more than their factors' own terms a change to team size, stage or priorities can move the
    log-odds the way the nearest threshold lies, through the interactions: up to every interaction's whole
    weight toward product engineers, but toward software engineers only what they add today (the cap
    never lets them push the other way)."""
    if not table.v2:
        return 0.0
    factors_sum = math.fsum(table.exact_terms(profile).values())
    today_interactions, _at_middle = table.interaction_terms(profile, factors_sum)  # none unless below 0
    adding = math.fsum(table.interaction_weights.values())
    losing = math.fsum(exact for _name, _strength, exact in today_interactions)
    return {PRODUCT: losing, SOFTWARE: adding}.get(current, max(adding, losing))


def _reach(table: Scoring, values: dict, factor: str, current: str) -> float:
    """How far any other value of `factor` moves its own term the way the nearest threshold lies."""
    sign = {PRODUCT: -1.0, SOFTWARE: 1.0}.get(current)
    now = table.exact_term(factor, values[factor]) or 0.0
    moves = [(table.exact_term(factor, value) or 0.0) - now for value, _steps in _other_values(factor, values[factor])]
    return max((abs(move) if sign is None else sign * move for move in moves), default=0.0)


def _nearest_pair(table: Scoring, changed, values: dict, today: float, current: str,
                  slack: float) -> PairChange | None:
    """The change of two factors that flips the recommendation with the fewest steps (then the smallest
    shift). A pair that cannot move the log-odds as far as the nearest threshold, in the direction that
    threshold lies, is not tried: its factors' largest moves that way, plus every interaction's whole weight
    when it touches what the interactions read (team size, stage, priorities), fall short."""
    need = table.margin(today, current)
    sign = {PRODUCT: -1.0, SOFTWARE: 1.0}.get(current)  # which way the log-odds must move; both: either way
    options = {factor: _pair_values(values, factor) for factor in _FACTOR_ORDER}
    moves = {}  # factor -> [(steps, value, how far it moves the factor's own term the way that counts)]
    for factor, found in options.items():
        now = table.exact_term(factor, values[factor]) or 0.0
        moved = [(steps, value, (table.exact_term(factor, value) or 0.0) - now) for steps, value in found]
        moves[factor] = [(steps, value, abs(move) if sign is None else sign * move) for steps, value, move in moved]
    reach = {factor: max((move for _s, _v, move in found), default=0.0) for factor, found in moves.items()}
    best = None
    for first_index, first in enumerate(_FACTOR_ORDER):
        for second in _FACTOR_ORDER[first_index + 1:]:
            extra = slack if {first, second} & _READ_BY_INTERACTIONS else 0.0
            if reach[first] + reach[second] + extra < need:
                continue
            for steps_a, value_a, move_a in moves[first]:
                if move_a + reach[second] + extra < need:
                    continue
                for steps_b, value_b, move_b in moves[second]:
                    if move_a + move_b + extra < need:
                        continue
                    moved = changed({first: value_a, second: value_b})
                    outcome = table.recommendation(moved)
                    if outcome == current:
                        continue
                    key = (steps_a + steps_b, abs(moved - today))
                    if best is None or key < best[0]:
                        shift = abs(moved - today)
                        best = (key, PairChange((Change(first, values[first], value_a, outcome, steps_a, shift),
                                                 Change(second, values[second], value_b, outcome, steps_b, shift)),
                                                outcome))
    return None if best is None else best[1]



def _pair_values(values: dict, factor: str):
    if factor == "team_size":
        return [(1, size) for size in _PAIR_TEAM_SIZES if size != values["team_size"]]
    return [(steps, value) for value, steps in _other_values(factor, values[factor])]


def change_note(singles: tuple[Change, ...], pair: PairChange | None) -> str:
    """One sentence that says what `what_would_change` holds, even when it holds nothing."""
    if singles:
        count = len(singles)
        return ("Changing this one factor alone would change the recommendation." if count == 1 else
                f"Changing any one of these {count} factors alone would change the recommendation.")
    if pair is not None:
        return "No single change would change the recommendation; the nearest change of two factors is given."
    return "No change of one factor, or of two together, would change the recommendation: it is a clear one."
