"""Weight profiles: the numbers that decide, and a digest that names them."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from service.engine.catalogue import FACTORS, INTERACTIONS, V2_LEANS

COMBINATION = "logistic-additive-v1"  # model 1: six additive factors, team size in bands
COMBINATION_V2 = "logistic-additive-v2"  # model 2: a smooth team-size curve and two interactions
COMBINATIONS = {1: COMBINATION, 2: COMBINATION_V2}
MODEL_VERSIONS = {combination: number for number, combination in COMBINATIONS.items()}
DEFAULT_WEIGHT_PROFILE_ID = "wp_default"


@dataclass(frozen=True)
class TeamSizeCurve:
    """Model 2's team-size lean: -tanh(steepness x (ln(n + 1) - ln(midpoint + 1))).

    Smooth and falling: close to 1 for a first hire, 0 at `midpoint` engineers, close to -1 for
    thousands, so one more engineer can only ever move the answer a little.
    """

    midpoint: float = 40.0
    steepness: float = 0.7

    def __post_init__(self) -> None:
        if not (1.0 <= self.midpoint <= 1_000_000.0 and 0.05 <= self.steepness <= 5.0):
            raise ValueError("team size curve needs 1 <= midpoint <= 1000000 and 0.05 <= steepness <= 5")
        # ln(midpoint + 1), worked out once (the same number every time); not a field, so not in the hash
        object.__setattr__(self, "log_midpoint", math.log1p(self.midpoint))

    def lean(self, team_size: int) -> float:
        return -math.tanh(self.steepness * (math.log1p(team_size) - self.log_midpoint))


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
    combination: str = COMBINATION
    # Model 2 only: the weight of each interaction, and the team-size curve (model 1 uses the band leans).
    interactions: Mapping[str, float] = field(default_factory=dict)
    team_size_curve: TeamSizeCurve | None = None
    hash: str = field(init=False)
    # What the engine works out from these numbers, kept on first use (model.scoring, and the
    # counterfactuals' ranked alternatives): a profile never changes, so nothing kept here goes stale.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Freeze the mappings so a profile can never drift from its hash.
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        frozen_leans = {name: MappingProxyType(dict(v)) for name, v in self.leans.items()}
        object.__setattr__(self, "leans", MappingProxyType(frozen_leans))
        object.__setattr__(self, "interactions", MappingProxyType(dict(self.interactions)))
        if self.combination not in MODEL_VERSIONS:
            raise ValueError(f"unknown combination {self.combination!r}")
        if (self.combination == COMBINATION_V2) != (self.team_size_curve is not None):
            raise ValueError("model 2, and only model 2, has a team size curve")
        object.__setattr__(self, "hash", weights_digest(self))

    @property
    def model_version(self) -> int:
        """Which model the numbers are made for: 1 (bands, no interactions) or 2."""
        return MODEL_VERSIONS[self.combination]

    def canonical(self) -> dict:
        """The content that decides results, in a stable form (what the hash covers).

        A model 1 profile's form is exactly what it has always been, so every stored hash still holds.
        """
        content = {
            "combination": self.combination,
            "weights": {name: float(self.weights[name]) for name in sorted(self.weights)},
            "leans": {
                name: {value: float(lean) for value, lean in sorted(self.leans[name].items())}
                for name in sorted(self.leans)
            },
            "thresholds": {"lower": float(self.thresholds.lower), "upper": float(self.thresholds.upper)},
        }
        if self.combination == COMBINATION_V2:
            content["interactions"] = {name: float(self.interactions[name]) for name in sorted(self.interactions)}
            content["team_size_curve"] = {"midpoint": float(self.team_size_curve.midpoint),
                                          "steepness": float(self.team_size_curve.steepness)}
        return content


def weights_digest(profile: WeightProfile) -> str:
    """A SHA-256 digest of the canonical weights: equal digests, equal decisions."""
    text = json.dumps(profile.canonical(), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


MODEL_V1 = WeightProfile(
    id=DEFAULT_WEIGHT_PROFILE_ID,
    version=1,
    weights={factor.name: factor.weight for factor in FACTORS},
    leans={factor.name: {v.value: v.lean for v in factor.values} for factor in FACTORS},
    thresholds=Thresholds(lower=0.4, upper=0.6),
)
MODEL_V2 = WeightProfile(
    id=DEFAULT_WEIGHT_PROFILE_ID,
    version=2,
    weights={factor.name: factor.weight for factor in FACTORS},
    # Team size has no band leans under model 2: its curve replaces them.
    leans={factor.name: {v.value: (V2_LEANS.get((factor.name, v.value), v.lean)) for v in factor.values}
           for factor in FACTORS if factor.name != "team_size"},
    thresholds=Thresholds(lower=0.4, upper=0.6),
    combination=COMBINATION_V2,
    interactions={interaction.name: interaction.weight for interaction in INTERACTIONS},
    team_size_curve=TeamSizeCurve(midpoint=40.0, steepness=0.7),
)
BUILT_IN = {1: MODEL_V1, 2: MODEL_V2}
DEFAULT_WEIGHT_PROFILE = MODEL_V2  # what a profile is decided with unless it names other weights


def derive(
    base: WeightProfile,
    *,
    id: str,
    version: int,
    weights: Mapping[str, float] | None = None,
    leans: Mapping[str, Mapping[str, float]] | None = None,
    lower: float | None = None,
    upper: float | None = None,
    interactions: Mapping[str, float] | None = None,
    team_size_curve: Mapping[str, float] | None = None,
) -> WeightProfile:
    """`base` with the given weights, leans, thresholds (and, on model 2, interaction weights and
    team-size curve) replaced: always a complete profile on `base`'s model.

    Raises ValueError when the thresholds end up out of order, or when model 2's parts are given
    for a model 1 base; names of factors and values must already be known (the API's schema checks them).
    """
    if base.combination == COMBINATION and (interactions or team_size_curve):
        raise ValueError("interactions and the team size curve exist only in model 2")
    merged_leans = {name: {**base.leans[name], **(leans or {}).get(name, {})} for name in base.leans}
    curve = base.team_size_curve
    if curve is not None and team_size_curve:
        curve = TeamSizeCurve(**{"midpoint": curve.midpoint, "steepness": curve.steepness, **team_size_curve})
    return WeightProfile(
        id=id,
        version=version,
        weights={**base.weights, **(weights or {})},
        leans=merged_leans,
        thresholds=Thresholds(
            lower=base.thresholds.lower if lower is None else lower,
            upper=base.thresholds.upper if upper is None else upper,
        ),
        combination=base.combination,
        interactions={**base.interactions, **(interactions or {})},
        team_size_curve=curve,
    )


def upgrade(profile: WeightProfile, *, id: str, version: int) -> WeightProfile:
    """A model 1 profile's own choices carried onto model 2: every weight and threshold, and each lean the
    owner changed from the built-in version 1 (the others take version 2's, growth's neutral lean
    included). Model 2's own parts, the team-size curve and the interactions, come from the built-in
    version 2; team-size band leans have no place in model 2 and are left behind."""
    changed = {name: {value: lean for value, lean in values.items() if lean != MODEL_V1.leans[name].get(value)}
               for name, values in profile.leans.items() if name in MODEL_V2.leans}
    return derive(MODEL_V2, id=id, version=version, weights=profile.weights, leans=changed,
                  lower=profile.thresholds.lower, upper=profile.thresholds.upper)
