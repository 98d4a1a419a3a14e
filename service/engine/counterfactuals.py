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
from functools import lru_cache
from operator import itemgetter

from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_BANDS,
    team_size_band,
)
from service.engine.model import CompanyProfile, FactorInput, Scoring, factor_term, scoring
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
