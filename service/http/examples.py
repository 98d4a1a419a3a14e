"""Examples for the OpenAPI document, computed by the real engine so they stay true."""

from __future__ import annotations

from schemas.profile import EXAMPLE_PROFILE
from service import recommendations

EXAMPLE_ID = "rec_01jdk5m7c2v8q4x6r9t3w0y1za"
EXAMPLE_CREATED_AT = "2026-11-26T09:30:00.000000Z"

PROFILE_EXAMPLES = {
    "seed_b2b_saas": {
        "summary": "Seed-stage B2B SaaS, 6 engineers, 4 hires planned",
        "value": EXAMPLE_PROFILE,
    },
    "minimal": {
        "summary": "Only the required fields",
        "value": {"stage": "series_b", "team_size": 40, "product_complexity": "medium", "business_model": "marketplace"},
    },
    "enterprise_platform": {
        "summary": "Public enterprise platform that prioritises scale and security",
        "value": {
            "stage": "public",
            "team_size": 800,
            "product_complexity": "very_high",
            "business_model": "enterprise_platform",
            "priorities": ["scale", "security", "reliability"],
            "customer_access": "none",
            "planned_hires": 12,
        },
    },
}


def preview_example() -> dict:
    return recommendations.preview(EXAMPLE_PROFILE)


def recommendation_example() -> dict:
    return {"id": EXAMPLE_ID, "created_at": EXAMPLE_CREATED_AT, **preview_example()}


def page_example() -> dict:
    return {"data": [recommendation_example()], "has_more": False, "next_cursor": None}
