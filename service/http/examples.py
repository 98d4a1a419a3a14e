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


BATCH_EXAMPLES = {
    "two_profiles_one_refused": {
        "summary": "Two requisitions; the second names an unknown stage",
        "value": {
            "items": [
                EXAMPLE_PROFILE,
                {"stage": "series_z", "team_size": 40, "product_complexity": "medium", "business_model": "marketplace",
                 "external_id": "REQ-1043"},
            ]
        },
    },
}

BATCH_CSV_EXAMPLE = (
    "stage,team_size,product_complexity,business_model,priorities,customer_access,planned_hires,external_id\r\n"
    "seed,6,low,b2b_saas,ship_fast;growth,direct,4,REQ-1042\r\n"
    "public,800,very_high,enterprise_platform,scale;security,none,12,REQ-1043\r\n"
)


def batch_example() -> dict:
    refused = {
        "type": "/problems/validation_failed",
        "title": "Validation failed",
        "status": 422,
        "detail": "1 field did not validate: /stage.",
        "instance": "/v1/recommendations/batch",
        "code": "validation_failed",
        "request_id": "8a3f5e0c2b1d4f6a9e7c5b3a1d2f4e6c",
        "errors": [{"pointer": "/stage", "code": "invalid_choice",
                    "message": "Must be one of: pre_seed, seed, series_a, series_b, series_c, growth, public."}],
    }
    return {
        "items": [
            {"index": 0, "status": 201, "recommendation": recommendation_example()},
            {"index": 1, "status": 422, "problem": refused},
        ],
        "stored": 1,
        "failed": 1,
    }


def export_csv_example() -> str:
    from service import csvio

    return "".join(csvio.write_recommendations([recommendation_example()]))
