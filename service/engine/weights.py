"""Weight profiles: the numbers that decide, and a digest that names them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from service.engine.catalogue import FACTORS

COMBINATION = "logistic-additive-v1"
DEFAULT_WEIGHT_PROFILE_ID = "wp_default"


@dataclass(frozen=True)
class Thresholds:
    """Product-engineer shares below `lower` mean software, above `upper` product."""

    lower: float = 0.4
    upper: float = 0.6

    def __post_init__(self) -> None:
        if not 0.0 < self.lower <= self.upper < 1.0:
            raise ValueError("thresholds need 0 < lower <= upper < 1")


@dataclass(frozen=True)
class WeightProfile:
    """Weights per factor, leans per factor value, and the decision thresholds."""

    id: str
    version: int
    weights: Mapping[str, float]
    leans: Mapping[str, Mapping[str, float]]
    thresholds: Thresholds = field(default_factory=Thresholds)
    hash: str = field(init=False)
    # What the engine works out from these numbers, kept on first use (model.scoring, and the
    # counterfactuals' ranked alternatives): a profile never changes, so nothing kept here goes stale.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Freeze the mappings so a profile can never drift from its hash.
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        frozen_leans = {name: MappingProxyType(dict(v)) for name, v in self.leans.items()}
        object.__setattr__(self, "leans", MappingProxyType(frozen_leans))
        object.__setattr__(self, "hash", weights_digest(self))

    def canonical(self) -> dict:
        """The content that decides results, in a stable form (what the hash covers)."""
        return {
            "combination": COMBINATION,
            "weights": {name: float(self.weights[name]) for name in sorted(self.weights)},
            "leans": {
                name: {value: float(lean) for value, lean in sorted(self.leans[name].items())}
                for name in sorted(self.leans)
            },
            "thresholds": {"lower": float(self.thresholds.lower), "upper": float(self.thresholds.upper)},
        }


def weights_digest(profile: WeightProfile) -> str:
    """A SHA-256 digest of the canonical weights: equal digests, equal decisions."""
    text = json.dumps(profile.canonical(), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


DEFAULT_WEIGHT_PROFILE = WeightProfile(
    id=DEFAULT_WEIGHT_PROFILE_ID,
    version=1,
    weights={factor.name: factor.weight for factor in FACTORS},
    leans={factor.name: {v.value: v.lean for v in factor.values} for factor in FACTORS},
    thresholds=Thresholds(lower=0.4, upper=0.6),
)


def derive(
    base: WeightProfile,
    *,
    id: str,
    version: int,
    weights: Mapping[str, float] | None = None,
    leans: Mapping[str, Mapping[str, float]] | None = None,
    lower: float | None = None,
    upper: float | None = None,
) -> WeightProfile:
    """`base` with the given weights, leans and thresholds replaced: always a complete profile.

    Raises ValueError when the thresholds end up out of order; names of
    factors and values must already be known (the API's schema checks them).
    """
    merged_leans = {name: {**base.leans[name], **(leans or {}).get(name, {})} for name in base.leans}
    return WeightProfile(
        id=id,
        version=version,
        weights={**base.weights, **(weights or {})},
        leans=merged_leans,
        thresholds=Thresholds(
            lower=base.thresholds.lower if lower is None else lower,
            upper=base.thresholds.upper if upper is None else upper,
        ),
    )
