"""A recommendation as a page for people: verdict, split, contributions, what would change it, roles.

Rendered from the document only (nothing is recomputed), with Jinja's autoescaping; values in words
(`service.engine.wording`), laid out for a phone's 390 px and up, and styled to print on A4 or Letter.
The styles are service/static/result.css, inlined: a share link's page loads nothing but itself.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from flask import render_template, request
from markupsafe import Markup

from service.engine.narrative import change_note, confidence_meaning
from service.engine.wording import LEANS, OUTCOMES, label, value_words

VERDICTS = {
    "product_engineers": "Hire product engineers",
    "software_engineers": "Hire software engineers",
    "both": "Hire a mix of product and software engineers",
}
INTERACTIONS = {
    "large_team_wants_speed": "A large team that wants speed",
    "late_stage_innovation": "Innovation late in the company's life",
}
# The profile as the page repeats it, in this order; the requisition id only where the document still has it.
FACTS = ("stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access",
         "planned_hires")
STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "result.css"
SHARE_PAGES = "shared"  # the blueprint of /s/<token> (service.sharing.http.page_bp)


@cache
def stylesheet() -> Markup:
    return Markup(STYLESHEET.read_text(encoding="utf-8"))


def lean(favors: str | None) -> str:
    """Which way a factor pushes, in words ("neutral" and None alike push neither way)."""
    return LEANS.get(favors, LEANS[None])


def interaction(name: str) -> str:
    return INTERACTIONS.get(name, name.replace("_", " ").capitalize())


def change(step: dict) -> str:
    """One factor's change: "Engineers today from 300 to 51"."""
    field = step["factor"]
    return f"{label(field)} from {value_words(field, step.get('from'))} to {value_words(field, step.get('to'))}"


def facts(profile: dict) -> list[tuple[str, str]]:
    shown = [(label(field), value_words(field, profile.get(field))) for field in FACTS]
    if profile.get("external_id"):
        shown.append((label("external_id"), profile["external_id"]))
    return shown


def made_at(created_at: str | None) -> str | None:
    """"2026-11-28T13:21:31.020841Z" as "2026-11-28 13:21 UTC"."""
    if not created_at:
        return None
    try:
        return dt.datetime.fromisoformat(created_at).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return created_at


def render(document: dict, template: str = "recommendation.html", **context) -> str:
    """The page of `document`; `template` may extend recommendation.html, and gets `context` too."""
    contributions = [abs(term["contribution"]) for term in document["factors"] + (document.get("interactions") or [])]
    return render_template(
        template,
        r=document,
        confidence_meaning=confidence_meaning(document),
        change_note=change_note(document),
        verdict=VERDICTS[document["recommendation"]],
        product_share=round(document["scores"]["product_engineers"] * 100),
        widest=max(contributions, default=0) or 1,
        facts=facts(document["profile"]),
        created=made_at(document.get("created_at")),
        stylesheet=stylesheet(),
        # A share link's page names no other address (not even its icon's): the browser asks for /favicon.ico.
        self_contained=request.blueprint == SHARE_PAGES,
        label=label,
        value_words=value_words,
        lean=lean,
        interaction=interaction,
        change=change,
        outcomes=OUTCOMES,
        **context,
    )
