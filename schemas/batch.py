"""Batch evaluation: up to 100 profiles in, one result or problem per profile out."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load

from schemas.fields import ERROR_BUDGET, List, StrictSchema, coded, count_messages, item_count
from schemas.problem import ProblemSchema
from schemas.profile import CompanyProfileSchema
from schemas.recommendation import RecommendationSchema

BATCH_MAX = 100


class RefusedItem:
    """A batch item that is not a valid profile, with marshmallow's messages about it, and the item as sent
    (what an idempotent retry is compared by)."""

    __slots__ = ("messages", "raw")

    def __init__(self, messages, raw):
        self.messages, self.raw = messages, raw


class ProfileItem(fields.Raw):
    """One profile of a batch: validated on its own, so one bad item spoils nothing else.

    Loads to the profile, or to a RefusedItem; a CSV row its reader already refused passes through.
    """

    _profile = CompanyProfileSchema()

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, Exception):
            return value
        try:
            return self._profile.load(value)
        except ValidationError as error:
            return RefusedItem(error.messages, value)


class BatchRequestSchema(StrictSchema):
    """1 to 100 company profiles, evaluated and stored one by one."""

    items = List(
        # allow_none: a null item is refused on its own, like any other item that is not a profile.
        ProfileItem(allow_none=True, metadata={
            "description": "A CompanyProfile (see that schema). Each item is validated on its own: one that is not "
                           "a valid profile gets its own problem in the answer and spoils nothing else, so the "
                           "batch accepts any item here."}),
        required=True,
        validate=item_count(1, BATCH_MAX, "Send 1 to {max} profiles; split longer lists."),
        metadata={"description": "Company profiles, each exactly as for POST /v1/recommendations. Items are "
                                 "refused one by one, unless together they hold more than 50 errors: then the "
                                 "batch is refused whole (422) and nothing is stored."},
    )

    @post_load
    def _not_too_many_errors(self, data, **kwargs):
        """Items are refused one by one, unless together they hold more errors than the error budget:
        then the batch is refused whole, listing the first of them, and nothing is stored."""
        found = {}
        for index, item in enumerate(data["items"]):
            if isinstance(item, RefusedItem):
                found[index] = item.messages
            elif isinstance(item, Exception):  # a CSV row its reader refused
                found[index] = [coded(error["code"], error["message"]) for error in getattr(item, "errors", None) or ()]
        if count_messages(found) > ERROR_BUDGET:
            raise ValidationError({"items": found})
        return data


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
