"""The model card: every factor, value, lean, weight and piece of evidence of a weight profile."""

from __future__ import annotations

from service.engine.catalogue import FACTORS, TEAM_SIZE_BANDS
from service.engine.weights import COMBINATION, WeightProfile

HOW_IT_COMBINES = (
    "Each factor that the profile gives adds weight x lean to a log-odds sum; each stated priority adds its own "
    "lean. The product engineer share is the logistic of that sum, 1 / (1 + e^-sum). Above the upper threshold "
    "the recommendation is product engineers, below the lower one software engineers, and in between both."
)


def model_card(profile: WeightProfile) -> dict:
    """Plain data: what GET /v1/model returns for `profile`."""
    bands = {}
    lower = 0
    for name, upper in TEAM_SIZE_BANDS:
        bands[name] = (lower, upper)
        lower = upper + 1
    factors = []
    for factor in FACTORS:
        values = []
        for entry in factor.values:
            value = {"value": entry.value, "lean": profile.leans[factor.name][entry.value],
                     "evidence": list(entry.evidence)}
            if factor.name == "team_size":
                value["min_team_size"], value["max_team_size"] = bands[entry.value]
            values.append(value)
        factors.append({
            "name": factor.name,
            "description": factor.description,
            "weight": profile.weights[factor.name],
            "multiple": factor.multi,
            "values": values,
        })
    return {
        "weight_profile_id": profile.id,
        "version": profile.version,
        "hash": profile.hash,
        "combination": COMBINATION,
        "combination_description": HOW_IT_COMBINES,
        "thresholds": {"lower": profile.thresholds.lower, "upper": profile.thresholds.upper},
        "factors": factors,
    }
