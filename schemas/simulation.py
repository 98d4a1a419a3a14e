"""Simulations: replay stored or supplied profiles under draft weights."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Integer, List, Metadata, StrictSchema, String, between, coded, item_count, text
from schemas.profile import CompanyProfileSchema
from schemas.recommendation import ScoresSchema
from schemas.weight_profile import WeightOverridesSchema, check_one_of
from service.engine.catalogue import RECOMMENDATIONS

PROFILES_MAX = 1000


class SimulationDraftSchema(WeightOverridesSchema):
    """Draft weights: the very object POST /v1/weight-profiles takes, so a draft that simulates well is saved
    as it is. `name` and `metadata` are accepted and validated as there, and not used: nothing is saved."""

    name = String(validate=text(1, 200), metadata={"description": "The name it would be saved with; optional "
                                                                  "here and not used.",
                                                   "example": "Security-first hiring"})
    metadata = Metadata(metadata={"description": "As for a new profile; optional here and not used."})


class SimulationRequestSchema(StrictSchema):
    """Draft weights (inline, or a stored profile) and, optionally, the profiles to replay."""

    weight_profile = fields.Nested(
        SimulationDraftSchema,
        metadata={"description": "Inline draft: changes to the built-in profile, the same object as the body of "
                                 "POST /v1/weight-profiles (`name` included, or left out). Nothing is saved."},
    )
    weight_profile_id = String(validate=text(1, 64),
                               metadata={"description": "Or one of your stored weight profiles (its latest version)."})
    weight_profile_version = Integer(validate=between(1, 1_000_000),
                                     metadata={"description": "With weight_profile_id: a specific version."})
    profiles = List(
        fields.Nested(CompanyProfileSchema),
        validate=item_count(1, PROFILES_MAX, "Send 1 to {max} profiles."),
        metadata={"description": "Profiles to replay; default: your newest 1,000 stored recommendations."},
    )

    OPENAPI_EXTRA = {
        "oneOf": [{"required": ["weight_profile"]}, {"required": ["weight_profile_id"]}],
        "dependentRequired": {"weight_profile_version": ["weight_profile_id"]},
    }

    @validates_schema
    def _one_draft(self, data, **kwargs):
        check_one_of(data, "weight_profile", "weight_profile_id")
        if "weight_profile_version" in data and "weight_profile_id" not in data:
            raise ValidationError({"weight_profile_version": [
                coded("not_applicable", "A version only goes with weight_profile_id.")]})


class SimulationModelSchema(Schema):
    weight_profile_id = fields.String(required=True, allow_none=True, metadata={"description": "null for a draft."})
    version = fields.Integer(required=True, allow_none=True)
    hash = fields.String(required=True)


class OutcomeSchema(Schema):
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    scores = fields.Nested(ScoresSchema, required=True)
    model = fields.Nested(SimulationModelSchema, required=True)


class SimulationItemSchema(Schema):
    id = fields.String(metadata={"description": "The stored recommendation (when replaying stored ones)."})
    index = fields.Integer(metadata={"description": "Position in `profiles` (when profiles were supplied)."})
    before = fields.Nested(OutcomeSchema, required=True)
    after = fields.Nested(OutcomeSchema, required=True)


class SimulationResultSchema(Schema):
    """How many were replayed, and each one whose recommendation would change."""

    evaluated = fields.Integer(required=True, metadata={"minimum": 0})
    changed = fields.Integer(required=True, metadata={"minimum": 0})
    weight_profile = fields.Nested(SimulationModelSchema, required=True,
                                   metadata={"description": "The draft weights replayed, by hash."})
    items = fields.List(fields.Nested(SimulationItemSchema), required=True)
