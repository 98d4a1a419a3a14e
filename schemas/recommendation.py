"""What the API returns for a recommendation, a page of them, and the list query."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump

from service.engine.catalogue import BUSINESS_MODELS, INTERACTIONS_BY_NAME, PRIORITIES, RECOMMENDATIONS, STAGES
from service.engine.model import NEUTRAL, PRODUCT, SOFTWARE
from service.engine.writeback import RATINGS, SCORECARD_NAMES

from schemas.fields import (DateTime, MetadataQuery, QueryBoolean, StrictSchema, String, cursor,
                            enum_string, page_limit, text)
from service.paging import cursor_pattern
from schemas.profile import CompanyProfileSchema

FAVORS = (PRODUCT, SOFTWARE, NEUTRAL)
# Stored answers keep their first bytes, so a field added after the first release is optional in the schema:
# every answer made since carries it, answers stored by the first release do not.
FIRST_RELEASE_LACKS = (" Every answer made since weight profiles arrived has it; answers stored by the first release "
                       "(before weight profiles) lack it.")


class FactorValue(fields.Raw):
    """A string, an integer, or a list of strings (the priorities)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value) if isinstance(value, tuple) else value


class ScoresSchema(Schema):
    product_engineers = fields.Float(required=True, metadata={"minimum": 0, "maximum": 1})
    software_engineers = fields.Float(required=True, metadata={"minimum": 0, "maximum": 1})


class HeadcountSchema(Schema):
    product_engineers = fields.Integer(required=True, metadata={"minimum": 0})
    software_engineers = fields.Integer(required=True, metadata={"minimum": 0})


class FactorContributionSchema(Schema):
    factor = fields.String(required=True, metadata={"description": "The profile field that counted."})
    value = FactorValue(
        required=True,
        metadata={
            "description": "The value weighed: a string, the team size, or the list of priorities.",
            "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "array", "items": {"type": "string"}}],
        },
    )
    weight = fields.Float(required=True, metadata={"description": "Weight of the factor in the weight profile."})
    lean = fields.Float(
        required=True,
        metadata={"description": "Lean of the value in [-1, 1] (summed for priorities); positive: product engineers."},
    )
    contribution = fields.Float(
        required=True, metadata={"description": "weight x lean, in log-odds; positive toward product engineers."}
    )
    favors = fields.String(required=True, metadata={"enum": list(FAVORS)})
    reason = fields.String(required=True, metadata={"description": "One plain sentence."})
    parts = fields.List(fields.Nested("PriorityPartSchema"), metadata={
        "description": "Priorities only: each stated priority's own lean and signed contribution (they add up to "
                       "the factor's). Added in 2026-11; absent from older answers."})

    @post_dump
    def _parts_only_for_priorities(self, data, **kwargs):
        if not data.get("parts"):
            data.pop("parts", None)
        return data


class PriorityPartSchema(Schema):
    priority = fields.String(required=True, metadata={"enum": list(PRIORITIES)})
    lean = fields.Float(required=True)
    contribution = fields.Float(required=True, metadata={"description": "weight x this priority's lean, in log-odds."})
    favors = fields.String(required=True, metadata={"enum": list(FAVORS)})


class InteractionSchema(Schema):
    interaction = fields.String(required=True, metadata={"enum": list(INTERACTIONS_BY_NAME),
                                                         "description": "Which combination of factors holds."})
    weight = fields.Float(required=True, metadata={"description": "Weight of the interaction in the weight profile."})
    strength = fields.Float(required=True, metadata={"minimum": 0, "maximum": 1,
                                                     "description": "How fully the combination holds, 0 to 1."})
    contribution = fields.Float(required=True, metadata={"description": "weight x strength, in log-odds."})
    favors = fields.String(required=True, metadata={"enum": list(FAVORS)})
    reason = fields.String(required=True, metadata={"description": "One plain sentence."})
    evidence = fields.List(fields.String(), required=True, metadata={"description": "Evidence ids (E1 to E13)."})


class ModelRefSchema(Schema):
    weight_profile_id = fields.String(required=True, metadata={"example": "wp_default"})
    version = fields.Integer(required=True, metadata={"minimum": 1})
    hash = fields.String(required=True, metadata={"description": "SHA-256 of the canonical weights."})


class ChangeSchema(Schema):
    factor = fields.String(required=True)
    from_ = FactorValue(required=True, allow_none=True, attribute="from_", data_key="from",
                        metadata={"description": "The value today (null: not given)."})
    to = FactorValue(required=True, metadata={"description": "The value that flips the recommendation."})
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS),
                                                            "description": "What the engine would recommend then."})


class ScorecardItemSchema(Schema):
    factor = fields.String(metadata={"enum": list(SCORECARD_NAMES), "description": "The factor's key, stable: "
                                     "match items by it, not by `name`. Added in 2026-11."})
    name = fields.String(required=True, metadata={"example": "Company stage"})
    rating = fields.String(required=True, metadata={"enum": list(RATINGS),
                                                    "description": "Greenhouse scale: in `scorecard`, fit for "
                                                                   "product engineering; in a role profile's "
                                                                   "`scorecard`, fit for that role."})
    note = fields.String(required=True)


class RoleProfileSchema(Schema):
    role = fields.String(required=True, metadata={"enum": [PRODUCT, SOFTWARE]})
    title = fields.String(required=True, metadata={"description": "A suggested job title."})
    summary = fields.String(required=True)
    responsibilities = fields.List(fields.String(), required=True)
    traits = fields.List(fields.String(), required=True, metadata={"description": "What to screen for."})
    interview_focus = fields.List(fields.String(), required=True)
    hires = fields.Integer(allow_none=True, metadata={
        "minimum": 1, "description": "Model 2: how many of the planned hires this role gets (null without "
                                     "planned_hires)."})
    scorecard = fields.List(fields.Nested(ScorecardItemSchema), metadata={
        "description": "Model 2: one item per factor that counted, in the order of `factors`, rated for fit with "
                       "this role, for the requisition's ATS scorecard."})

    @post_dump
    def _model_2_fields_only_on_model_2(self, data, **kwargs):
        if data.get("scorecard") is None:  # a model 1 role profile has neither
            data.pop("scorecard", None)
            data.pop("hires", None)
        return data


class PairChangeSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema), required=True, metadata={"minItems": 2, "maxItems": 2})
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})


class RecommendationPreviewSchema(Schema):
    """An explained recommendation, evaluated but not stored."""

    profile = fields.Nested(CompanyProfileSchema, required=True, metadata={"description": "The profile as understood."})
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    scores = fields.Nested(ScoresSchema, required=True)
    confidence = fields.Float(
        required=True,
        metadata={"minimum": 0, "maximum": 1,
                  "description": "How sure the verdict is, 0 to 1. Model 2: an answer in the middle of the `both` "
                                 "band, and one as far inside its own band, read 0.9; near a threshold it reads "
                                 "low. Model 1: 1 - e^-margin."},
    )
    margin = fields.Float(metadata={
        "minimum": 0, "description": "How far the answer sits from the nearest threshold, in log-odds: how much "
                                     "the profile must change before the verdict does. Added in 2026-11."})
    headcount = fields.Nested(HeadcountSchema, required=True, allow_none=True)
    factors = fields.List(fields.Nested(FactorContributionSchema), required=True)
    summary = fields.String(required=True)
    model = fields.Nested(ModelRefSchema, required=True)
    what_would_change = fields.List(
        fields.Nested(ChangeSchema),
        metadata={"description": "Per factor, the nearest other value that flips the recommendation, smallest "
                                 "change first (empty when no single factor can)." + FIRST_RELEASE_LACKS},
    )
    what_would_change_note = fields.String(metadata={
        "description": "Model 2: one sentence on what would change the answer, said even when nothing single "
                       "would."})
    what_would_change_pair = fields.Nested(PairChangeSchema, allow_none=True, metadata={
        "description": "Model 2: when no single change flips the recommendation, the nearest change of two "
                       "factors that does (null when there is a single one, or none of two either)."})
    interactions = fields.List(fields.Nested(InteractionSchema), metadata={
        "description": "Model 2: what a combination of factors adds beyond the factors themselves; counted in the "
                       "same log-odds sum."})
    role_profiles = fields.List(fields.Nested(RoleProfileSchema),
                                metadata={"description": "Ready for a requisition. Model 2: one for every role "
                                                         "that gets at least one planned hire. Model 1: one per "
                                                         "recommended role." + FIRST_RELEASE_LACKS})
    growth_engineering = fields.String(
        allow_none=True,
        metadata={"description": "When the priority growth makes growth engineers worth considering (null "
                                 "otherwise)." + FIRST_RELEASE_LACKS},
    )
    scorecard = fields.List(fields.Nested(ScorecardItemSchema),
                            metadata={"description": "Fit for product engineering per factor, for an ATS scorecard. "
                                                     "Model 2: one item per factor that counted, in the order of "
                                                     "`factors` (role profiles carry one per role). Model 1: all "
                                                     "six factors, a factor not given rated mixed."
                                                     + FIRST_RELEASE_LACKS})
    note_text = fields.String(metadata={"maxLength": 2000,
                                        "description": "Plain text for an ATS note field." + FIRST_RELEASE_LACKS})


class RecommendationSchema(RecommendationPreviewSchema):
    """An explained recommendation as stored: the preview plus its id and creation time."""

    id = fields.String(required=True, metadata={"description": "`rec_` followed by an opaque string."})
    created_at = fields.String(required=True, metadata={"format": "date-time", "description": "RFC 3339, UTC."})

    class Meta:
        # id and created_at lead the stored body, as integrators read it.
        fields = ("id", "created_at", *RecommendationPreviewSchema._declared_fields)


class RecommendationPageSchema(Schema):
    """One page of stored recommendations, newest first."""

    data = fields.List(fields.Nested(RecommendationSchema), required=True)
    has_more = fields.Boolean(required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata={"description": "Pass as `cursor`."})


class RecommendationExportQuerySchema(StrictSchema):
    """Filters of the list and the export."""

    recommendation = enum_string(RECOMMENDATIONS)
    stage = enum_string(STAGES)
    business_model = enum_string(BUSINESS_MODELS)
    external_id = String(validate=text(1, 128))
    created_after = DateTime(
        metadata={"description": "Only those created strictly after (RFC 3339; no zone means UTC; send + as %2B)."}
    )
    created_before = DateTime(
        metadata={"description": "Only those created strictly before (RFC 3339; no zone means UTC; send + as %2B)."}
    )
    metadata = MetadataQuery("those whose", "metadata[team]=platform&metadata[region]=emea",
                             example={"team": "platform"})
    current = QueryBoolean(metadata={
        "description": "`true`: only current answers, leaving out every answer superseded by a newer one with the "
                       "same `external_id` (an answer without an external id is never superseded); `false`: only "
                       "the superseded ones. Left out: both."})


class RecommendationListQuerySchema(RecommendationExportQuerySchema):
    """Paging and filters of the list."""

    limit = page_limit()
    cursor = cursor(cursor_pattern("rec_"))

    class Meta(StrictSchema.Meta):
        fields = ("limit", "cursor", *RecommendationExportQuerySchema._declared_fields)
