"""A stored recommendation as a page for people: verdict, split, contributions, what would change it, roles.

Rendered from the stored document only (nothing is recomputed), with Jinja's
autoescaping, and styled to print on A4 or Letter.
"""

from __future__ import annotations

from flask import render_template

from service.engine.narrative import change_note, confidence_meaning

VERDICTS = {
    "product_engineers": "Hire product engineers",
    "software_engineers": "Hire software engineers",
    "both": "Hire a mix of product and software engineers",
}
ROLES = {"product_engineers": "product engineers", "software_engineers": "software engineers"}
OUTCOMES = {**ROLES, "both": "a mix of both"}


def words(value) -> str:
    """Enum values as words: b2b_saas -> b2b saas; a list of them joined; None -> not given."""
    if value is None:
        return "not given"
    if isinstance(value, list):
        return ", ".join(words(item) for item in value) if value else "none"
    return str(value).replace("_", " ")


def render(document: dict) -> str:
    contributions = [abs(term["contribution"]) for term in document["factors"] + (document.get("interactions") or [])]
    return render_template(
        "recommendation.html",
        r=document,
        confidence_meaning=confidence_meaning(document),
        change_note=change_note(document),
        verdict=VERDICTS[document["recommendation"]],
        product_share=round(document["scores"]["product_engineers"] * 100),
        widest=max(contributions, default=0) or 1,
        words=words,
        roles=ROLES,
        outcomes=OUTCOMES,
    )
