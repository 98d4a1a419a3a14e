"""Weight profiles: what a tenant sends to tune the model, and what it gets back."""

from __future__ import annotations

import math

from marshmallow import Schema, ValidationError, fields

from schemas.fields import (
    Integer,
    Metadata,
    MetadataQuery,
    StrictSchema,
    String,
    coded,
    cursor,
    one_of,
    page_limit,
    text,
)
from service.engine.catalogue import FACTORS, FACTORS_BY_NAME, INTERACTIONS_BY_NAME
from service.engine.weights import MODEL_VERSIONS
from service.paging import VERSION_CURSOR, cursor_pattern

WEIGHT_MAX = 1_000_000.0  # keeps every log-odds sum finite
FACTOR_NAMES = tuple(f.name for f in FACTORS)


def _number(value, low: float, high: float) -> list[str]:
    """The coded errors of one number, or none."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [coded("invalid_type", "Expected a number.")]
    if isinstance(value, float) and not math.isfinite(value):
        return [coded("out_of_range", "Must be a finite number.")]
    # ints compare exactly, however many digits they have (no float conversion, no overflow)
    if not low <= value <= high:
        return [coded("out_of_range", f"Must be at least {low:g} and at most {high:g}.")]
    return []


def _object(value, allowed: list[str], what: str) -> dict:
    """A JSON object of at most as many members as there are `allowed` names: a longer one must hold
    unknown names, and is refused before any member is looked at."""
    if not isinstance(value, dict):
        raise ValidationError(coded("invalid_type", "Expected a JSON object."))
    if len(value) > len(allowed):
        raise ValidationError(coded("invalid_length", f"Give at most {len(allowed)} {what}, each once: "
                                                      f"{', '.join(allowed)}."))
    return value


class NamedWeights(fields.Field):
    """{name: weight} for any subset of `names`, weights finite and from 0 to 1,000,000."""

    def __init__(self, names: tuple[str, ...], what: str, **kwargs):
        super().__init__(**kwargs)
        self.names, self.what = names, what

    def _deserialize(self, value, attr, data, **kwargs):
        errors = {}
        for name, weight in _object(value, list(self.names), f"{self.what}s").items():
            if name not in self.names:
                errors[name] = [coded("unknown_field", f"Not a {self.what}; the {self.what}s are: "
                                                       f"{', '.join(self.names)}.")]
            elif problems := _number(weight, 0.0, WEIGHT_MAX):
                errors[name] = problems
        if errors:
            raise ValidationError(errors)
        return {name: float(weight) for name, weight in value.items()}


class FactorLeans(fields.Field):
    """{factor: {value: lean}}, leans from -1 to 1; any subset of factors and values."""

    def _deserialize(self, value, attr, data, **kwargs):
        errors: dict = {}
        for name, leans in _object(value, list(FACTOR_NAMES), "factors").items():
            factor = FACTORS_BY_NAME.get(name)
            if factor is None:
                errors[name] = [coded("unknown_field", f"Not a factor; the factors are: {', '.join(FACTOR_NAMES)}.")]
                continue
            allowed = [entry.value for entry in factor.values]
            if not isinstance(leans, dict):
                errors[name] = [coded("invalid_type", "Expected a JSON object of value: lean.")]
                continue
            if len(leans) > len(allowed):
                errors[name] = [coded("invalid_length", f"Give at most {len(allowed)} values of {name}, each once.")]
                continue
            for key, lean in leans.items():
                if key not in allowed:
                    errors.setdefault(name, {})[key] = [
                        coded("invalid_choice", f"Not a value of {name}; its values are: {', '.join(allowed)}.")]
                elif problems := _number(lean, -1.0, 1.0):
                    errors.setdefault(name, {})[key] = problems
        if errors:
            raise ValidationError(errors)
        return {name: {key: float(lean) for key, lean in leans.items()} for name, leans in value.items()}


class Bounded(fields.Field):
    """A finite number from `low` to `high`."""

    def __init__(self, low: float, high: float, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value, attr, data, **kwargs):
        problems = _number(value, self.low, self.high)
        if problems:
            raise ValidationError(problems)
        return float(value)


class TeamSizeCurveInputSchema(StrictSchema):
    """Model 2's team-size curve: lean = -tanh(steepness x (ln(n + 1) - ln(midpoint + 1)))."""

    midpoint = Bounded(1, 1_000_000, metadata={"type": "number", "minimum": 1, "maximum": 1_000_000,
                                               "description": "The team size at which team size leans neither way."})
    steepness = Bounded(0.05, 5, metadata={"type": "number", "minimum": 0.05, "maximum": 5,
                                           "description": "How fast the lean turns from product to software "
                                                          "engineers as the team grows (in log team size)."})


class Share(fields.Field):
    """A product engineer share strictly between 0 and 1."""

    def _deserialize(self, value, attr, data, **kwargs):
        problems = _number(value, 0.0, 1.0)
        if not problems and not 0.0 < value < 1.0:
            problems = [coded("out_of_range", "Must be greater than 0 and less than 1.")]
        if problems:
            raise ValidationError(problems)
        return float(value)


class ThresholdsInputSchema(StrictSchema):
    """Thresholds that replace the base profile's; `lower` must not end up above `upper`."""

    lower = Share(metadata={"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
                            "description": "Below this product engineer share: software engineers."})
    upper = Share(metadata={"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
                            "description": "Above this share: product engineers; between the two: both."})


_WEIGHTS_DOC = {
    "type": "object",
    "description": "Weight per factor, 0 to 1,000,000; factors left out keep the base profile's weight.",
    "properties": {name: {"type": "number", "minimum": 0, "maximum": WEIGHT_MAX} for name in FACTOR_NAMES},
    "additionalProperties": False,
    "example": {"product_complexity": 2.0, "priorities": 0.9},
}
_LEANS_DOC = {
    "type": "object",
    "description": "Lean per value, -1 (software engineers) to 1 (product engineers), by factor; team_size "
                   "leans are per band (first_hire, small, mid, large, very_large, huge). Values left out keep "
                   "the base profile's lean.",
    "properties": {
        factor.name: {"type": "object",
                      "properties": {entry.value: {"type": "number", "minimum": -1, "maximum": 1}
                                     for entry in factor.values},
                      "additionalProperties": False}
        for factor in FACTORS
    },
    "additionalProperties": False,
    "example": {"business_model": {"marketplace": 0.4}, "priorities": {"security": -1.0}},
}


_INTERACTIONS_DOC = {
    "type": "object",
    "description": "Model 2 only: weight per interaction, 0 to 1,000,000; those left out keep the base profile's.",
    "properties": {name: {"type": "number", "minimum": 0, "maximum": WEIGHT_MAX} for name in INTERACTIONS_BY_NAME},
    "additionalProperties": False,
    "example": {"large_team_wants_speed": 0.5},
}


def _present(name: str) -> dict:
    """A JSON Schema that holds when the property `name` is there and not empty (an empty map means nothing,
    so it is accepted wherever the part itself is not)."""
    return {"required": [name], "properties": {name: {"minProperties": 1}}}


class WeightOverridesSchema(StrictSchema):
    """Weights, leans and thresholds that replace those of the base profile; all optional."""

    model_version = Integer(validate=one_of((1, 2)), metadata={
        "description": "The model to build on: 2 (the default for a new profile) or 1. On a new version of a "
                       "model 1 profile, 2 carries its weights, thresholds and changed leans onto model 2; "
                       "left out, a new version keeps its profile's model."})
    weights = NamedWeights(FACTOR_NAMES, "factor", metadata=_WEIGHTS_DOC)
    leans = FactorLeans(metadata=_LEANS_DOC)
    thresholds = fields.Nested(ThresholdsInputSchema)
    interactions = NamedWeights(tuple(INTERACTIONS_BY_NAME), "interaction", metadata=_INTERACTIONS_DOC)
    team_size_curve = fields.Nested(TeamSizeCurveInputSchema, metadata={
        "description": "Model 2 only: the team-size curve; what is left out keeps the base profile's."})

    # On model 1 there are no interactions and no curve; on model 2 (the default) no team-size band leans.
    # "Must not be there (or only empty)" as `not` of "is there", which every validator reads alike (Redocly's
    # reads `{"properties": {"x": false}}` inside if/then/else as closing the object to other properties).
    OPENAPI_EXTRA = {
        "if": {"required": ["model_version"], "properties": {"model_version": {"const": 1}}},
        "then": {"not": {"anyOf": [_present("interactions"), _present("team_size_curve")]}},
        "else": {"not": {"required": ["leans"], "properties": {"leans": _present("team_size")}}},
    }


class WeightProfileCreateSchema(WeightOverridesSchema):
    """A new weight profile: the built-in profile with your changes (version 1)."""

    model_version = Integer(validate=one_of((1, 2)), load_default=2, metadata={
        "description": "The model to build on: 2 (the default) or 1."})

    name = String(required=True, validate=text(1, 200), metadata={"example": "Security-first hiring"})
    metadata = Metadata(metadata={"description": "Your own keys and values, kept with the version: up to 20 keys "
                                                "of 1 to 40 letters, digits, `_`, `.`, `:` or `-`, each to a text "
                                                "of 0 to 500 characters without control characters. Left out: "
                                                "none (`{}`)."})


class WeightProfileVersionCreateSchema(WeightOverridesSchema):
    """The next version: the latest version with your changes."""

    # Without model_version, a new version keeps its profile's model, which only the stored profile knows;
    # the rules below hold whenever model_version is given.
    OPENAPI_EXTRA = {
        "allOf": [
            {"if": {"required": ["model_version"], "properties": {"model_version": {"const": 1}}},
             "then": {"not": {"anyOf": [_present("interactions"), _present("team_size_curve")]}}},
            {"if": {"required": ["model_version"], "properties": {"model_version": {"const": 2}}},
             "then": {"not": {"required": ["leans"], "properties": {"leans": _present("team_size")}}}},
        ],
    }

    name = String(validate=text(1, 200), metadata={"description": "A new name; default: the latest version's."})
    metadata = Metadata(metadata={"description": "The new version's own keys and values (as for a new profile), "
                                                "in place of the latest version's; `{}` gives it none. Left out: "
                                                "the latest version's, unchanged."})


class ThresholdsSchema(Schema):
    lower = fields.Float(required=True)
    upper = fields.Float(required=True)


class TeamSizeCurveSchema(Schema):
    midpoint = fields.Float(required=True)
    steepness = fields.Float(required=True)


class ModelValueSchema(Schema):
    value = fields.String(required=True)
    lean = fields.Float(required=True, metadata={"minimum": -1, "maximum": 1, "description": "-1 leans to software "
                                                 "engineers, 1 to product engineers."})
    evidence = fields.List(fields.String(), required=True, metadata={"description": "Evidence ids (E1 to E13)."})
    min_team_size = fields.Integer(metadata={"description": "team_size bands: the smallest team in the band."})
    max_team_size = fields.Integer(metadata={"description": "team_size bands: the largest team in the band."})


class TeamSizeSampleSchema(Schema):
    team_size = fields.Integer(required=True)
    lean = fields.Float(required=True)


class ModelCurveSchema(TeamSizeCurveSchema):
    formula = fields.String(required=True)
    evidence = fields.List(fields.String(), required=True)
    samples = fields.List(fields.Nested(TeamSizeSampleSchema), required=True)


class ModelFactorSchema(Schema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"minimum": 0})
    multiple = fields.Boolean(required=True)
    values = fields.List(fields.Nested(ModelValueSchema), required=True,
                         metadata={"description": "Empty for team_size under model 2, which has a `curve`."})
    curve = fields.Nested(ModelCurveSchema, metadata={"description": "Model 2's team-size curve."})


class ModelInteractionSchema(Schema):
    name = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"minimum": 0})
    evidence = fields.List(fields.String(), required=True)
    description = fields.String(required=True)


class ModelRulesSchema(Schema):
    both = fields.String(required=True, metadata={"description": "When the verdict is both."})
    confidence = fields.String(required=True, metadata={"description": "What confidence means."})
    margin = fields.String(required=True, metadata={"description": "What margin means."})


class ModelVersionCardSchema(Schema):
    """The card of one built-in version."""

    weight_profile_id = fields.String()
    version = fields.Integer(required=True)
    model_version = fields.Integer(metadata={"enum": [1, 2]})
    hash = fields.String(required=True)
    combination = fields.String(required=True)
    combination_description = fields.String()
    thresholds = fields.Nested(ThresholdsSchema, required=True)
    factors = fields.List(fields.Nested(ModelFactorSchema), required=True)
    interactions = fields.List(fields.Nested(ModelInteractionSchema), metadata={"description": "Model 2 only."})
    rules = fields.Nested(ModelRulesSchema)


class ModelCardSchema(ModelVersionCardSchema):
    """The model card: every factor, value, lean, weight and evidence id, the thresholds and how they combine;
    the default version at the top, every built-in version under `versions`."""

    versions = fields.List(fields.Nested(ModelVersionCardSchema),
                           metadata={"description": "Every built-in version (model 1 and model 2), oldest first."})


class WeightProfileSchema(Schema):
    """One immutable version of a weight profile, complete."""

    id = fields.String(required=True, metadata={"description": "`wp_` and an opaque string, or `wp_default`."})
    name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})
    hash = fields.String(required=True, metadata={"description": "SHA-256 of the canonical weights."})
    created_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    combination = fields.String(required=True, metadata={"enum": list(MODEL_VERSIONS),
                                                         "description": "The model this version decides with."})
    model_version = fields.Integer(metadata={"enum": [1, 2], "description": "The same, as a number. Added in "
                                                                             "2026-11."})
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    leans = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Float()),
                        required=True, metadata={"description": "Model 2 has no team_size leans (see "
                                                                "team_size_curve)."})
    thresholds = fields.Nested(ThresholdsSchema, required=True)
    interactions = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True,
                               metadata={"description": "Model 2: weight per interaction; null on model 1."})
    team_size_curve = fields.Nested(TeamSizeCurveSchema, allow_none=True,
                                    metadata={"description": "Model 2: the team-size curve; null on model 1."})
    metadata = Metadata(required=True, metadata={
        "description": "Your own keys and values, sorted by key (`{}` when none). A version made without them "
                       "keeps its predecessor's; a version's own never change."})


class WeightProfilePageSchema(Schema):
    data = fields.List(fields.Nested(WeightProfileSchema), required=True)
    has_more = fields.Boolean(required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class PageQuerySchema(StrictSchema):
    limit = page_limit()
    cursor = cursor(cursor_pattern("wp_"))
    metadata = MetadataQuery("the profiles whose latest version's", "metadata[owner]=talent-team")


class VersionPageQuerySchema(StrictSchema):
    limit = page_limit()
    cursor = cursor(VERSION_CURSOR)


def check_one_of(data: dict, first: str, second: str) -> None:
    """Exactly one of two fields: a coded error on the right pointer otherwise."""
    if first in data and second in data:
        raise ValidationError({second: [coded("mutually_exclusive", f"Give {first} or {second}, not both.")]})
    if first not in data and second not in data:
        raise ValidationError({first: [coded("required", f"Give {first} (a draft) or {second}.")]})

