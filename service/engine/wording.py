"""Profile fields and their values in words, for people: the console's form, the result page, the CLI.

The API speaks in codes (`series_b`, `b2b_saas`); people read "Series B" and "B2B SaaS". Each field
has a label and one line of help; each allowed value its words. Pure data: no Flask here.
"""

from __future__ import annotations

from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
)

VALUES: dict[str, dict[str, str]] = {
    "stage": {
        "pre_seed": "Pre-seed", "seed": "Seed", "series_a": "Series A", "series_b": "Series B",
        "series_c": "Series C", "growth": "Growth (after Series C)", "public": "Public company",
    },
    "product_complexity": {
        "low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high",
    },
    "business_model": {
        "b2b_saas": "B2B SaaS", "consumer_subscription": "Consumer subscription", "consumer": "Consumer",
        "marketplace": "Marketplace", "developer_tools": "Developer tools", "data_platform": "Data platform",
        "enterprise_platform": "Enterprise platform", "other": "Something else",
    },
    "priorities": {
        "ship_fast": "Ship fast", "innovation": "Innovation", "growth": "Growth", "scale": "Scale",
        "reliability": "Reliability", "security": "Security",
    },
    "customer_access": {
        "direct": "Direct: engineers talk to customers", "limited": "Limited: through other teams",
        "none": "None: engineers never meet customers",
    },
}

FIELDS: dict[str, tuple[str, str]] = {  # field -> (label, one line of help)
    "stage": ("Company stage", "The last funding round, or where the company stands today."),
    "team_size": ("Engineers today", "How many engineers the company employs now; 0 for a first hire."),
    "product_complexity": ("Product complexity", "How technically demanding the product is to build and run."),
    "business_model": ("Business model", "How the company makes its money."),
    "priorities": ("Priorities", "What the next hires should bring most; pick any number, or none."),
    "customer_access": ("Customer access", "Whether engineers can talk to customers. Leave it out if unsure."),
    "planned_hires": ("Planned hires", "How many engineers you plan to hire next; gives a split by head."),
    "company_name": ("Company name", "Optional; shown on the result page."),
    "external_id": ("Requisition id", "Optional; your ATS's id for this opening."),
}

OUTCOMES = {
    "product_engineers": "product engineers",
    "software_engineers": "software engineers",
    "both": "a mix of product and software engineers",
}
LEANS = {
    "product_engineers": "pushes toward product engineers",
    "software_engineers": "pushes toward software engineers",
    None: "pushes neither way",
}

assert set(VALUES["stage"]) == set(STAGES)
assert set(VALUES["product_complexity"]) == set(PRODUCT_COMPLEXITIES)
assert set(VALUES["business_model"]) == set(BUSINESS_MODELS)
assert set(VALUES["priorities"]) == set(PRIORITIES)
assert set(VALUES["customer_access"]) == set(CUSTOMER_ACCESS)


def value_words(field: str, value) -> str:
    """One field's value in words: `series_b` -> "Series B"; a list joined; None -> "not given"."""
    if value is None:
        return "not given"
    if isinstance(value, list):
        return ", ".join(value_words(field, item) for item in value) if value else "none"
    return VALUES.get(field, {}).get(value, str(value).replace("_", " "))


def label(field: str) -> str:
    """A field's name in words: `team_size` -> "Engineers today"."""
    return FIELDS.get(field, (field.replace("_", " ").capitalize(), ""))[0]


def help_line(field: str) -> str:
    return FIELDS.get(field, ("", ""))[1]
