"""The model card: every factor, value, lean, weight and piece of evidence of a weight profile."""

from __future__ import annotations

from service.engine.catalogue import (
    FACTORS,
    INTERACTIONS,
    TEAM_SIZE_BANDS,
    TEAM_SIZE_REASONS_V2,
)
from service.engine.weights import BUILT_IN, WeightProfile

HOW_IT_COMBINES = (
    "Each factor that the profile gives adds weight x lean to a log-odds sum; each stated priority adds its own "
    "lean. The product engineer share is the logistic of that sum, 1 / (1 + e^-sum). Above the upper threshold "
    "the recommendation is product engineers, below the lower one software engineers, and in between both."
)
HOW_IT_COMBINES_V2 = (
    "Each factor that the profile gives adds weight x lean to a log-odds sum; each stated priority adds its own "
    "lean, and team size leans along a smooth curve, so one more engineer only ever moves the answer a little. "
    "Each interaction that holds adds weight x strength. The product engineer share is the logistic of the sum, "
    "1 / (1 + e^-sum); the thresholds turn the share into the verdict."
)
RULES = {
    "both": "The verdict is both when the product engineer share lies between the lower and the upper threshold "
            "(40% and 60% by default; E12: companies with both kinds succeed, and the mix depends on the company): "
            "both kinds then get a real part of the hires (with the default thresholds, neither less than 40%). Above the upper threshold the verdict is product engineers, below the lower one software "
            "engineers; the planned hires are split by the share either way, so a verdict of one kind can still "
            "open roles of the other.",
    "margin": "Margin is how far, in log-odds, the answer sits from the nearest threshold: how much the profile "
              "would have to change before the verdict does.",
}
CONFIDENCE = {
    1: "Model 1: confidence is 1 - e^-margin, so with the default thresholds a verdict of both can never read "
       "above 0.33.",
    2: "Model 2: confidence says how sure the verdict is, from 0 (on a threshold) toward 1; an answer in the "
       "middle of the both band, and one just as far inside its own band, read 0.9.",
}


def model_card(profile: WeightProfile, *, with_versions: bool = True) -> dict:
    """Plain data: what GET /v1/model returns for `profile` (and, for the built-in one, every version)."""
    factors = [_factor(factor, profile) for factor in FACTORS]
    card = {
        "weight_profile_id": profile.id,
        "version": profile.version,
        "model_version": profile.model_version,
        "hash": profile.hash,
        "combination": profile.combination,
        "combination_description": HOW_IT_COMBINES_V2 if profile.model_version == 2 else HOW_IT_COMBINES,
        "thresholds": {"lower": profile.thresholds.lower, "upper": profile.thresholds.upper},
        "factors": factors,
        "rules": {**RULES, "confidence": CONFIDENCE[profile.model_version]},
    }
    if profile.model_version == 2:
        card["interactions"] = [{"name": entry.name, "weight": profile.interactions[entry.name],
                                 "evidence": list(entry.evidence), "description": entry.description}
                                for entry in INTERACTIONS]
    if with_versions:
        card["versions"] = [model_card(BUILT_IN[number], with_versions=False) for number in sorted(BUILT_IN)]
    return card


def _factor(factor, profile: WeightProfile) -> dict:
    described = {"name": factor.name, "description": factor.description, "weight": profile.weights[factor.name],
                 "multiple": factor.multi}
    if factor.name == "team_size" and profile.team_size_curve is not None:
        curve = profile.team_size_curve
        described["values"] = []
        described["curve"] = {
            "midpoint": curve.midpoint, "steepness": curve.steepness,
            "formula": "lean = -tanh(steepness x (ln(team_size + 1) - ln(midpoint + 1)))",
            "evidence": sorted({claim for _bound, evidence, *_texts in TEAM_SIZE_REASONS_V2 for claim in evidence}),
            "samples": [{"team_size": size, "lean": round(curve.lean(size), 4)}
                        for size in (0, 5, 10, 25, 50, 100, 250, 1000, 10000)],
        }
        return described
    bands = {}
    lower = 0
    for name, upper in TEAM_SIZE_BANDS:
        bands[name] = (lower, upper)
        lower = upper + 1
    values = []
    for entry in factor.values:
        value = {"value": entry.value, "lean": profile.leans[factor.name][entry.value], "evidence": list(entry.evidence)}
        if factor.name == "team_size":
            value["min_team_size"], value["max_team_size"] = bands[entry.value]
        values.append(value)
    described["values"] = values
    return described
