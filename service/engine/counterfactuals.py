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
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby
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
    Alternatives,
    CompanyProfile,
    FactorInput,
    Scoring,
    capped_exacts,
    factor_term,
    scoring,
)
from service.engine.records import quick_init
from service.engine.weights import WeightProfile

_ORDERED = {"stage": STAGES, "product_complexity": PRODUCT_COMPLEXITIES, "customer_access": CUSTOMER_ACCESS}
_FACTOR_ORDER = ("stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access")


@quick_init
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
    names, terms = list(exact), list(exact.values())
    total = math.fsum(terms)
    current = table.recommendation(total)
    # Most alternatives lie far from a threshold: the sum with one term swapped, in plain floating point,
    # tells what they recommend (see model._certainty); only those too near one to tell are added up exactly.
    inside_low, inside_high, _, _ = table.certainty[current]
    memo = table.weights.memo
    nearest = []
    for index, factor in enumerate(_FACTOR_ORDER):
        value = getattr(profile, factor)
        ranked = memo.get(("alternatives", factor, team_size_band(value) if factor == "team_size" else value))
        if ranked is None:
            ranked = _nearest_first(table, profile, factor)
        others_sum = total - exact.get(factor, 0.0)
        for steps, shift, other, term in ranked:
            approximate = others_sum + (0.0 if term is None else term)
            if inside_low < approximate < inside_high:
                continue
            outcome = table.surely(approximate)
            if outcome is None:  # too near a threshold to tell: the exact sum
                others = terms
                if factor in exact:  # the terms of every other factor that counts, in their order
                    position = names.index(factor)
                    others = terms[:position] + terms[position + 1:]
                outcome = table.recommendation(math.fsum(others if term is None else others + [term]))
            if outcome != current:
                nearest.append((steps, shift, index, Change(factor, value, other, outcome, steps, shift)))
                break
    return _in_order(nearest)


def _in_order(nearest: list[tuple[int, float, int, Change]]) -> tuple[Change, ...]:
    """The changes of (steps, shift, factor's place in _FACTOR_ORDER, change), fewest steps first, then the
    gentlest, then in factor order."""
    nearest.sort(key=_RANK)
    return tuple(map(_CHANGE, nearest))


_RANK, _CHANGE = itemgetter(0, 1, 2), itemgetter(3)


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


@cache  # one entry per band
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

@quick_init
@dataclass(frozen=True)
class PairChange:
    """Changing two factors at once, when no single change can, makes the engine recommend `recommendation`."""

    changes: tuple[Change, Change]
    recommendation: str


def what_would_change_v2(profile: CompanyProfile, weights: WeightProfile) -> tuple[tuple[Change, ...], PairChange | None]:
    """The nearest single change per factor (as model 1), and, only when there is none, the nearest change
    of two factors."""
    table = scoring(weights)
    values = {factor: getattr(profile, factor) for factor in _FACTOR_ORDER}
    alternatives = Alternatives(table, values)
    today = alternatives.today
    current = table.recommendation(today)
    nearest = []
    need = table.margin(today, current)
    slack = _slack(table, alternatives, current)
    for index, factor in enumerate(_FACTOR_ORDER):
        if factor == "team_size":
            found = _team_size_flip(alternatives, current)
        elif _reach(table, factor, values[factor], current) + (
                slack if factor in _READ_BY_INTERACTIONS else 0.0) < need:
            continue  # no value of this factor moves the log-odds as far as the nearest threshold
        else:
            found = alternatives.first_flip(factor, _ranked_values(table, factor, values[factor]), current)
        if found is not None and found[3] != current:
            steps, value, moved, outcome = found
            shift = abs(moved - today)
            nearest.append((steps, shift, index, Change(factor, values[factor], value, outcome, steps, shift)))
    singles = _in_order(nearest)
    return singles, (None if singles else _nearest_pair(table, alternatives, current, slack))


def _team_size_flip(alternatives: Alternatives, current: str) -> tuple | None:
    """(1, size, its log-odds, its recommendation) of the team size nearest today's (the smaller one on a
    tie) at which the recommendation changes; None when no size changes it."""
    here = alternatives.values["team_size"]
    found = [size for size in (alternatives.flip_size(current, limit) for limit in (0, TEAM_SIZE_MAX))
             if size is not None]
    for size in sorted(found, key=lambda size: abs(size - here)):
        moved = alternatives.team_size(size)
        outcome = alternatives.table.recommendation(moved)
        if outcome != current:
            return 1, size, moved, outcome
    return None


def _ranked_values(table: Scoring, factor: str, value: FactorInput | None) -> tuple[tuple[int, FactorInput, float | None], ...]:
    """(steps, other value, its exact term) of every other value of a factor, fewest steps first (ties in
    catalogue order); kept with the weight profile."""
    key = ("ranked", factor, value)
    memo = table.weights.memo
    kept = memo.get(key)
    if kept is None:
        ranked = sorted(_other_values(factor, value), key=itemgetter(1))
        kept = memo[key] = tuple((steps, other, table.exact_term(factor, other)) for other, steps in ranked)
    return kept


_PAIR_TEAM_SIZES = (0, 10, 50, 250, 1000, TEAM_SIZE_MAX)


def _slack(table: Scoring, alternatives: Alternatives, current: str) -> float:
    """How much more than their factors' own terms a change to team size, stage or priorities can move the
    log-odds the way the nearest threshold lies, through the interactions: up to every interaction's whole
    weight toward product engineers, but toward software engineers only what they add today (the cap
    never lets them push the other way)."""
    if not table.v2:
        return 0.0
    factors_sum = math.fsum(term for term in alternatives.terms if term is not None)
    adding = table.interaction_total
    losing = math.fsum(capped_exacts(alternatives.interactions, factors_sum))  # none unless below 0
    return {PRODUCT: losing, SOFTWARE: adding}.get(current, max(adding, losing))


def _reach(table: Scoring, factor: str, value: FactorInput | None, current: str) -> float:
    """How far any other value of `factor` moves its own term the way the nearest threshold lies; it depends
    only on the value and the recommendation, so it is kept with the weight profile."""
    key = ("reach", factor, value, current)
    memo = table.weights.memo
    found = memo.get(key)
    if found is None:
        found = memo[key] = max((move for _steps, _value, move in _moves(table, factor, value, current)),
                                default=0.0)
    return found


def _moves(table: Scoring, factor: str, value: FactorInput | None, current: str,
           others: tuple | None = None) -> list[tuple[int, FactorInput, float]]:
    """(steps, other value, how far it moves the factor's own term the way the nearest threshold lies) for
    each value in `others` (by default every other value of the factor): for recommendation `both`, either
    way."""
    sign = {PRODUCT: -1.0, SOFTWARE: 1.0}.get(current)
    now = table.exact_term(factor, value) or 0.0
    found = _pair_values(factor, value) if others is None else others
    moved = [(steps, other, (table.exact_term(factor, other) or 0.0) - now) for steps, other in found]
    return [(steps, other, abs(move) if sign is None else sign * move) for steps, other, move in moved]


def _pair_moves(table: Scoring, values: dict, factor: str, current: str) -> list[tuple[int, FactorInput, float]]:
    """_moves() of the values a pair tries for `factor`; kept with the weight profile for every factor but the
    open-ended team size."""
    if factor == "team_size":
        return _moves(table, factor, values[factor], current, _pair_values(factor, values[factor]))
    key = ("pair moves", factor, values[factor], current)
    memo = table.weights.memo
    found = memo.get(key)
    if found is None:
        found = memo[key] = _moves(table, factor, values[factor], current)
    return found


def _nearest_pair(table: Scoring, alternatives: Alternatives, current: str, slack: float) -> PairChange | None:
    """The change of two factors that flips the recommendation with the fewest steps (then the smallest
    shift; then the first in factor order). A pair that cannot move the log-odds as far as the nearest
    threshold, in the direction that threshold lies, is not tried: its factors' largest moves that way, plus
    every interaction's whole weight when it touches what the interactions read (team size, stage,
    priorities), fall short. The pairs left are tried fewest steps first, and none with more steps than a
    pair that flips."""
    values, today = alternatives.values, alternatives.today
    need = table.margin(today, current)
    moves = {factor: _pair_moves(table, values, factor, current) for factor in _FACTOR_ORDER}
    reach = {factor: max((move for _s, _v, move in found), default=0.0) for factor, found in moves.items()}
    pairs = []  # (steps, first, value_a, steps_a, second, value_b, steps_b), in factor order
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
                    pairs.append((steps_a + steps_b, first, value_a, steps_a, second, value_b, steps_b))
    pairs.sort(key=itemgetter(0))  # stable: equal steps keep factor order
    for _steps, same_steps in groupby(pairs, key=itemgetter(0)):  # fewest steps first
        best = _gentlest_pair(table, alternatives, current, list(same_steps))
        if best is not None:
            shift, outcome, (_steps, first, value_a, steps_a, second, value_b, steps_b) = best
            return PairChange((Change(first, values[first], value_a, outcome, steps_a, shift),
                               Change(second, values[second], value_b, outcome, steps_b, shift)), outcome)
    return None


def _gentlest_pair(table: Scoring, alternatives: Alternatives, current: str, pairs: list) -> tuple | None:
    """(shift, recommendation, pair) of the pair that changes the recommendation with the smallest shift
    (the first of them on a tie), among `pairs` of equal steps; None when none changes it.

    Every pair's shift is first told approximately (off by at most `Scoring.tolerance`): the exact log-odds
    are only made for pairs, gentlest first, that could still be the gentlest, or tie with it."""
    today, tolerance = alternatives.today, table.tolerance
    inside_low, inside_high, _, _ = table.certainty[current]
    told = []  # (approximate shift, place in `pairs`, approximate log-odds, pair)
    for place, pair in enumerate(pairs):
        _steps, first, value_a, _steps_a, second, value_b, _steps_b = pair
        approximate = alternatives.approximate_two(first, value_a, second, value_b)
        told.append((abs(approximate - today), place, approximate, pair))
    told.sort(key=itemgetter(0, 1))
    best = None  # (shift, place, recommendation, pair)
    for approximate_shift, place, approximate, pair in told:
        if best is not None and approximate_shift - tolerance > best[0]:
            break  # this pair and those after it surely shift the log-odds more
        if inside_low < approximate < inside_high:
            continue  # surely changes nothing
        _steps, first, value_a, _steps_a, second, value_b, _steps_b = pair
        moved = alternatives.changed_two(first, value_a, second, value_b)
        outcome = table.recommendation(moved)
        if outcome != current and (best is None or (abs(moved - today), place) < best[:2]):
            best = (abs(moved - today), place, outcome, pair)
    return None if best is None else (best[0], best[2], best[3])


def _pair_values(factor: str, value: FactorInput | None) -> tuple[tuple[int, FactorInput], ...]:
    """(steps, other value) of each value a pair tries for `factor`: for team size, a few sizes across the
    whole range."""
    if factor == "team_size":
        return tuple((1, size) for size in _PAIR_TEAM_SIZES if size != value)
    return tuple((steps, other) for other, steps in _other_values(factor, value))


def change_note(singles: tuple[Change, ...], pair: PairChange | None) -> str:
    """One sentence that says what `what_would_change` holds, even when it holds nothing."""
    if singles:
        count = len(singles)
        return ("Changing this one factor alone would change the recommendation." if count == 1 else
                f"Changing any one of these {count} factors alone would change the recommendation.")
    if pair is not None:
        return "No single change would change the recommendation; the nearest change of two factors is given."
    return "No change of one factor, or of two together, would change the recommendation: it is a clear one."
