"""Weight profiles: what a tenant sends to tune the model, and what it gets back."""

from __future__ import annotations

import math

from marshmallow import Schema, ValidationError, fields

from schemas.fields import (
    QueryInteger,
    StrictSchema,
    String,
    between,
    coded,
    cursor,
    text,
)
from service.engine.catalogue import FACTORS, FACTORS_BY_NAME
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


class FactorWeights(fields.Field):
    """{factor: weight}, weights finite and from 0 to 1,000,000; any subset of the factors."""

    def _deserialize(self, value, attr, data, **kwargs):
        errors = {}
        for name, weight in _object(value, list(FACTOR_NAMES), "factors").items():
            if name not in FACTORS_BY_NAME:
                errors[name] = [coded("unknown_field", f"Not a factor; the factors are: {', '.join(FACTOR_NAMES)}.")]
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


class WeightOverridesSchema(StrictSchema):
    """Weights, leans and thresholds that replace those of the base profile; all optional."""

    weights = FactorWeights(metadata=_WEIGHTS_DOC)
    leans = FactorLeans(metadata=_LEANS_DOC)
    thresholds = fields.Nested(ThresholdsInputSchema)


class WeightProfileCreateSchema(WeightOverridesSchema):
    """A new weight profile: the built-in profile with your changes (version 1)."""

    name = String(required=True, validate=text(1, 200), metadata={"example": "Security-first hiring"})


class WeightProfileVersionCreateSchema(WeightOverridesSchema):
    """The next version: the latest version with your changes."""

    name = String(validate=text(1, 200), metadata={"description": "A new name; default: the latest version's."})


class ThresholdsSchema(Schema):
    lower = fields.Float(required=True)
    upper = fields.Float(required=True)


class ModelValueSchema(Schema):
    value = fields.String(required=True)
    lean = fields.Float(required=True, metadata={"minimum": -1, "maximum": 1, "description": "-1 leans to software "
                                                 "engineers, 1 to product engineers."})
    evidence = fields.List(fields.String(), required=True, metadata={"description": "Evidence ids (E1 to E13)."})
    min_team_size = fields.Integer(metadata={"description": "team_size bands: the smallest team in the band."})
    max_team_size = fields.Integer(metadata={"description": "team_size bands: the largest team in the band."})


class ModelFactorSchema(Schema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"minimum": 0})
    multiple = fields.Boolean(required=True)
    values = fields.List(fields.Nested(ModelValueSchema), required=True)


class ModelCardSchema(Schema):
    """The model card: every factor, value, lean, weight and evidence id, the thresholds and how they combine."""

    weight_profile_id = fields.String()
    version = fields.Integer(required=True)
    hash = fields.String(required=True)
    combination = fields.String(required=True)
    combination_description = fields.String()
    thresholds = fields.Nested(ThresholdsSchema, required=True)
    factors = fields.List(fields.Nested(ModelFactorSchema), required=True)


class WeightProfileSchema(Schema):
    """One immutable version of a weight profile, complete."""

    id = fields.String(required=True, metadata={"description": "`wp_` and an opaque string, or `wp_default`."})
    name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})
    hash = fields.String(required=True, metadata={"description": "SHA-256 of the canonical weights."})
    created_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    combination = fields.String(required=True)
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    leans = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Float()),
                        required=True)
    thresholds = fields.Nested(ThresholdsSchema, required=True)


class WeightProfilePageSchema(Schema):
    data = fields.List(fields.Nested(WeightProfileSchema), required=True)
    has_more = fields.Boolean(required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class PageQuerySchema(StrictSchema):
    limit = QueryInteger(load_default=20, validate=between(1, 100), metadata={"description": "Page size, 1 to 100."})
    cursor = cursor(cursor_pattern("wp_"))


class VersionPageQuerySchema(PageQuerySchema):
    cursor = cursor(VERSION_CURSOR)


def check_one_of(data: dict, first: str, second: str) -> None:
    """Exactly one of two fields: a coded error on the right pointer otherwise."""
    if first in data and second in data:
        raise ValidationError({second: [coded("mutually_exclusive", f"Give {first} or {second}, not both.")]})
    if first not in data and second not in data:
        raise ValidationError({first: [coded("required", f"Give {first} (a draft) or {second}.")]})

