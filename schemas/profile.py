"""The company profile: what a caller sends to be evaluated."""

from __future__ import annotations

from marshmallow import post_load

from service.engine.weights import DEFAULT_WEIGHT_PROFILE_ID
from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PLANNED_HIRES_MAX,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_MAX,
)

from schemas.fields import (Integer, List, Metadata, StrictSchema, String, between, enum_string, item_count, text,
                            unique_items)

EXAMPLE_PROFILE = {
    "stage": "seed",
    "team_size": 6,
    "product_complexity": "low",
    "business_model": "b2b_saas",
    "priorities": ["ship_fast", "growth"],
    "customer_access": "direct",
    "planned_hires": 4,
    "company_name": "Acme Analytics",
    "external_id": "REQ-1042",
    "metadata": {"region": "emea", "team": "platform"},
}


class CompanyProfileSchema(StrictSchema):
    """A company profile. Optional fields may be left out or sent as null."""

    stage = enum_string(STAGES, required=True, metadata={"description": "Funding stage of the company."})
    team_size = Integer(
        required=True,
        validate=between(0, TEAM_SIZE_MAX),
        metadata={"description": "Engineers employed today; 0 when this is the first engineering hire."},
    )
    product_complexity = enum_string(
        PRODUCT_COMPLEXITIES, required=True, metadata={"description": "How technically demanding the product is."}
    )
    business_model = enum_string(BUSINESS_MODELS, required=True, metadata={"description": "How the company makes money."})
    priorities = List(
        enum_string(PRIORITIES),
        load_default=list,
        allow_none=True,
        validate=[item_count(0, len(PRIORITIES), "Give at most {max} priorities, each once."), unique_items],
        metadata={"description": "What the next hires should most help with; each at most once.", "uniqueItems": True},
    )
    customer_access = enum_string(
        CUSTOMER_ACCESS,
        load_default=None,
        allow_none=True,
        metadata={"description": "Whether engineers can talk to customers."},
    )
    planned_hires = Integer(
        load_default=None,
        allow_none=True,
        validate=between(1, PLANNED_HIRES_MAX),
        metadata={"description": "How many engineers are to be hired now; gives a headcount split."},
    )
    company_name = String(
        load_default=None, allow_none=True, validate=text(1, 200), metadata={"description": "Shown in the summary."}
    )
    external_id = String(
        load_default=None,
        allow_none=True,
        validate=text(1, 128),
        metadata={"description": "Your own requisition or company id, to find the result again."},
    )
    weight_profile_id = String(
        load_default=None,
        allow_none=True,
        validate=text(1, 64),
        metadata={"description": "The weight profile to decide with; default: the built-in `wp_default`."},
    )
    weight_profile_version = Integer(
        load_default=None,
        allow_none=True,
        validate=between(1, 1_000_000),
        metadata={"description": "Pin a version of the weight profile; default: its latest version."},
    )
    metadata = Metadata(
        allow_none=True,
        metadata={"description": "Your own keys and values, kept with the answer and searchable with "
                                 "`metadata[key]=value` on the list and the export: up to 20 keys of 1 to 40 "
                                 "letters, digits, `_`, `.`, `:` or `-`, each to a text of 0 to 500 characters "
                                 "without control characters. Left out or null: none (`{}`). Answers keep it "
                                 "sorted by key; answers stored by earlier releases lack it."},
    )

    @post_load
    def _in_canonical_form(self, data, **kwargs):
        """Null priorities mean none given; priorities in the model's order; no weight profile means the
        built-in one; no metadata means `{}`: so two requests that mean the same are the same (an idempotent retry
        compares them)."""
        data["priorities"] = [p for p in PRIORITIES if p in (data.get("priorities") or ())]
        data["metadata"] = data.get("metadata") or {}
        if data.get("weight_profile_id") is None:
            data["weight_profile_id"] = DEFAULT_WEIGHT_PROFILE_ID
        return data
