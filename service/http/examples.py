"""Examples for the OpenAPI document, computed by the real engine so they stay true."""

from __future__ import annotations

from schemas.profile import EXAMPLE_PROFILE
from service import recommendations

EXAMPLE_ID = "rec_01jdk5m7c2v8q4x6r9t3w0y1za"
EXAMPLE_CREATED_AT = "2026-11-26T09:30:00.000000Z"
EXAMPLE_WEIGHT_PROFILE_ID = "wp_01jdk5m7c2v8q4x6r9t3w0y1zb"

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
    return recommendations.describe(EXAMPLE_PROFILE)


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
    "stage,team_size,product_complexity,business_model,priorities,customer_access,planned_hires,external_id,"
    "metadata.team\r\n"
    "seed,6,low,b2b_saas,ship_fast;growth,direct,4,REQ-1042,platform\r\n"
    "public,800,very_high,enterprise_platform,scale;security,none,12,REQ-1043,\r\n"
)

# PUT /v1/requisitions/REQ-1042/recommendation: the bodies leave external_id out (the path gives it), so
# each example works with any requisition in the path.
_REQUISITION_PROFILE = {name: value for name, value in EXAMPLE_PROFILE.items() if name != "external_id"}
REQUISITION_EXAMPLES = {
    "answer": {"summary": "The requisition's profile; external_id left out, the path gives it",
               "value": _REQUISITION_PROFILE},
    "more_hires": {"summary": "The same requisition, now planning 6 hires: a new current answer",
                   "value": {**_REQUISITION_PROFILE, "planned_hires": 6}},
}


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


SECURITY_FIRST = {
    "name": "Security-first hiring",
    "weights": {"priorities": 1.2},
    "leans": {"priorities": {"security": -1.0}, "business_model": {"marketplace": -0.2}},
    "thresholds": {"lower": 0.35, "upper": 0.65},
}

WEIGHT_PROFILE_EXAMPLES = {
    "security_first": {"summary": "Weigh priorities double and security fully", "value": SECURITY_FIRST},
    "name_only": {"summary": "A copy of the built-in weights to tune later", "value": {"name": "Our baseline"}},
}

WEIGHT_PROFILE_VERSION_EXAMPLES = {
    "stricter_thresholds": {"summary": "Only change the thresholds", "value": {"thresholds": {"upper": 0.7}}},
    "rename_and_reweigh": {
        "summary": "A new name and one more weight",
        "value": {"name": "Security-first hiring (2027)", "weights": {"customer_access": 1.0}},
    },
}

SIMULATION_EXAMPLES = {
    "inline_draft_on_stored": {
        "summary": "Replay your newest 1,000 stored recommendations under a draft",
        "value": {"weight_profile": {"thresholds": {"lower": 0.3, "upper": 0.45}}},
    },
    "model_1_on_supplied": {
        "summary": "Replay two profiles under the built-in weights of model 1 (name one of yours the same way)",
        "value": {
            "weight_profile_id": "wp_default",
            "weight_profile_version": 1,
            "profiles": [EXAMPLE_PROFILE, PROFILE_EXAMPLES["enterprise_platform"]["value"]],
        },
    },
}


def _security_first():
    from service.engine import DEFAULT_WEIGHT_PROFILE
    from service.engine.weights import derive

    return derive(DEFAULT_WEIGHT_PROFILE, id=EXAMPLE_WEIGHT_PROFILE_ID, version=1,
                  weights=SECURITY_FIRST["weights"], leans=SECURITY_FIRST["leans"],
                  lower=SECURITY_FIRST["thresholds"]["lower"], upper=SECURITY_FIRST["thresholds"]["upper"])


def weight_profile_example() -> dict:
    import datetime as dt

    from service.weight_profiles import document

    created = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone.utc)
    return document(_security_first(), SECURITY_FIRST["name"], created)


def weight_profile_page_example() -> dict:
    return {"data": [weight_profile_example()], "has_more": False, "next_cursor": None}


def simulation_example() -> dict:
    from service.engine import DEFAULT_WEIGHT_PROFILE
    from service.engine.weights import derive
    from service.recommendations import company_profile
    from service.simulations import _model, _outcome
    from service.engine.model import score

    draft = derive(DEFAULT_WEIGHT_PROFILE, id="draft", version=1, lower=0.3, upper=0.45)
    profile = {"stage": "growth", "team_size": 300, "product_complexity": "medium",
               "business_model": "consumer_subscription"}
    before, before_share = score(company_profile(profile), DEFAULT_WEIGHT_PROFILE)
    after, after_share = score(company_profile(profile), draft)
    assert before != after, "the simulation example must show a change"
    return {
        "evaluated": 240,
        "changed": 1,
        "weight_profile": _model(draft),
        "items": [{"id": EXAMPLE_ID, "before": _outcome(before, before_share, _model(DEFAULT_WEIGHT_PROFILE)),
                   "after": _outcome(after, after_share, _model(draft))}],
    }


EXAMPLE_SHARE_LINK_ID = "shl_01jdk5m7c2v8q4x6r9t3w0y1zf"
EXAMPLE_KEY_ID = "key_01jdk5m7c2v8q4x6r9t3w0y1zg"

SHARE_LINK_EXAMPLES = {
    "default_expiry": {"summary": "Works for the default 30 days", "value": {}},
    "one_week": {"summary": "Works for 7 days", "value": {"expires_in_days": 7}},
}


def share_link_example() -> dict:
    return {"id": EXAMPLE_SHARE_LINK_ID, "recommendation_id": EXAMPLE_ID, "created_at": EXAMPLE_CREATED_AT,
            "expires_at": "2026-12-26T09:30:00.000000Z", "revoked_at": None}


def new_share_link_example() -> dict:
    return {"id": EXAMPLE_SHARE_LINK_ID, "recommendation_id": EXAMPLE_ID,
            "url": "https://hiremix.example.com/s/Yp3vQ0m1bT6Zr8Wc2Xk5Jd9Hs4Ln7Gf0Ae1Uq6Ri3Ov",
            "created_at": EXAMPLE_CREATED_AT, "expires_at": "2026-12-26T09:30:00.000000Z", "revoked_at": None}


def share_link_page_example() -> dict:
    return {"data": [share_link_example()], "has_more": False, "next_cursor": None}


def audit_event_page_example() -> dict:
    return {
        "data": [
            {"id": "aud_01jdk5m7c2v8q4x6r9t3w0y1zj", "occurred_at": EXAMPLE_CREATED_AT,
             "actor": {"type": "api_key", "key_id": EXAMPLE_KEY_ID}, "action": "share_link.created",
             "subject": {"type": "share_link", "id": EXAMPLE_SHARE_LINK_ID},
             "details": {"recommendation_id": EXAMPLE_ID, "expires_at": "2026-12-26T09:30:00.000000Z"}},
            {"id": "aud_01jdk5m7c2v8q4x6r9t3w0y1zh", "occurred_at": "2026-11-26T09:00:00.000000Z",
             "actor": {"type": "command_line", "key_id": None}, "action": "api_key.created",
             "subject": {"type": "api_key", "id": EXAMPLE_KEY_ID},
             "details": {"scopes": ["recommendations:read", "recommendations:write"]}},
        ],
        "has_more": False,
        "next_cursor": None,
    }
