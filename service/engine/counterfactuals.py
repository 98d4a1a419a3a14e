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
from typing import Iterator

from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_BANDS,
    team_size_band,
)
from service.engine.model import CompanyProfile, FactorInput, decide, factor_term, logistic, terms
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
    exact = {name: weight * lean for name, _key, _shown, weight, lean in terms(profile, weights)}
    current = decide(logistic(math.fsum(exact.values())), weights)
    nearest: list[Change] = []
    for factor in _FACTOR_ORDER:
        options = []
        others = [v for name, v in exact.items() if name != factor]
        for value, steps in _alternatives(profile, factor):
            found = factor_term(factor, value, weights)
            term = None if found is None else found[1] * found[2]
            log_odds = math.fsum(others + ([term] if term is not None else []))
            outcome = decide(logistic(log_odds), weights)
            if outcome != current:
                shift = abs((term or 0.0) - exact.get(factor, 0.0))
                options.append(Change(factor, getattr(profile, factor), value, outcome, steps, shift))
        if options:
            nearest.append(min(options, key=lambda c: (c.steps, c.shift)))
    return tuple(sorted(nearest, key=lambda c: (c.steps, c.shift, _FACTOR_ORDER.index(c.factor))))


def _alternatives(profile: CompanyProfile, factor: str) -> Iterator[tuple[FactorInput, int]]:
    """(other value, steps away) for every value the factor could take instead."""
    if factor == "team_size":
        yield from _other_team_sizes(profile.team_size)
    elif factor == "business_model":
        yield from ((model, 1) for model in BUSINESS_MODELS if model != profile.business_model)
    elif factor == "priorities":
        given = set(profile.priorities)
        for priority in PRIORITIES:
            changed = given ^ {priority}  # add it, or drop it
            yield tuple(p for p in PRIORITIES if p in changed), 1
    else:
        order = _ORDERED[factor]
        value = getattr(profile, factor)
        # Customer access that was not given starts one step from each answer.
        here = order.index(value) if value is not None else None
        for index, other in enumerate(order):
            if other != value:
                yield other, 1 if here is None else abs(index - here)


def _other_team_sizes(team_size: int) -> Iterator[tuple[int, int]]:
    """For each other band, the team size in it closest to today's, and how many bands away."""
    bands = [name for name, _upper in TEAM_SIZE_BANDS]
    here = bands.index(team_size_band(team_size))
    for index, (_name, upper) in enumerate(TEAM_SIZE_BANDS):
        if index < here:
            yield upper, here - index
        elif index > here:
            yield TEAM_SIZE_BANDS[index - 1][1] + 1, index - here
