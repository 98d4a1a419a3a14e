"""Batch evaluation: up to 100 profiles in, one result or problem per profile out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.fields import List, StrictSchema, coded
from schemas.problem import ProblemSchema
from schemas.recommendation import RecommendationSchema

BATCH_MAX = 100


class ProfileItem(fields.Raw):
    """One profile of a batch: validated on its own, so one bad item spoils nothing else."""


class BatchRequestSchema(StrictSchema):
    """1 to 100 company profiles, evaluated and stored one by one."""

    items = List(
        # allow_none: a null item is refused on its own, like any other item that is not a profile.
        ProfileItem(allow_none=True, metadata={
            "description": "A CompanyProfile (see that schema). Each item is validated on its own: one that is not "
                           "a valid profile gets its own problem in the answer and spoils nothing else, so the "
                           "batch accepts any item here."}),
        required=True,
        validate=validate.Length(
            1, BATCH_MAX, error=coded("invalid_length", "Send 1 to {max} profiles; split longer lists.")
        ),
        metadata={"description": "Company profiles, each exactly as for POST /v1/recommendations."},
    )


class BatchItemSchema(Schema):
    index = fields.Integer(
        required=True,
        metadata={"minimum": 0,
                  "description": "Position in `items`; for CSV, the data row (0 for the first; blank lines skipped)."},
    )
    status = fields.Integer(required=True, metadata={"enum": [201, 422], "description": "201 stored, 422 refused."})
    recommendation = fields.Nested(RecommendationSchema, metadata={"description": "When stored."})
    problem = fields.Nested(
        ProblemSchema, metadata={"description": "When refused; its pointers are relative to the item."}
    )


class BatchResultSchema(Schema):
    """One entry per profile sent, in the order sent."""

    items = fields.List(fields.Nested(BatchItemSchema), required=True)
    stored = fields.Integer(required=True, metadata={"minimum": 0, "description": "How many were stored."})
    failed = fields.Integer(required=True, metadata={"minimum": 0, "description": "How many were refused."})
