"""Ask: the company profile as a form with choices in words; preview it, or save it, then the result page."""

from __future__ import annotations

import json
import re

from flask import redirect, render_template, request, url_for

from service import recommendations, weight_profiles
from service.engine.catalogue import PLANNED_HIRES_MAX, TEAM_SIZE_MAX
from service.engine.wording import FIELDS, VALUES
from service.errors import InvalidInput, NotFound
from service.http import metrics, result_page
from service.ids import RECOMMENDATION_ID
from service.web.blueprint import PROFILES_READ, READ, WRITE, bp, may, page, principal, runtime
from service.web.forms import field_errors, load_profile, profile_from

PROFILE_CHOICES_MAX = 100
LABELS = {**{name: words for name, (words, _help) in FIELDS.items()}, "weight_profile_id": "Weights"}  # weight profiles offered in the form, newest first


def _weight_profiles() -> list[dict]:
    if not may(PROFILES_READ):
        return []
    run = runtime()
    return weight_profiles.newest({"limit": PROFILE_CHOICES_MAX}, principal().tenant_id, run.sessions).documents


def _form(values: dict, errors: dict[str, str] | None = None, status: int = 200):
    return render_template("console/ask.html", values=values, errors=errors or {}, fields=FIELDS, choices=VALUES,
                           team_size_max=TEAM_SIZE_MAX, planned_hires_max=PLANNED_HIRES_MAX,
                           weight_profiles=_weight_profiles(), can_save=may(WRITE), labels=LABELS), status


def _values_of(profile: dict) -> dict:
    """A profile (or a stored answer's) as the form's values."""
    values = {name: profile.get(name) for name in FIELDS if profile.get(name) is not None}
    values["priorities"] = list(profile.get("priorities") or [])
    if profile.get("weight_profile_id"):
        values["weight_profile_id"] = profile["weight_profile_id"]
    return values


@bp.get("/ask")
@page(READ)
def ask():
    """The empty form; `?again=<id>`: the form as that stored answer was asked; `?stage=...&...`: as given."""
    again = request.args.get("again", "")
    if again:
        if not re.fullmatch(RECOMMENDATION_ID, again):
            raise NotFound("There is no such saved answer to ask again.")
        document = json.loads(recommendations.fetch(again, principal().tenant_id, runtime().sessions))
        values = _values_of({**document["profile"], "weight_profile_id": document["model"]["weight_profile_id"]})
        return _form(values)
    if any(name in request.args for name in FIELDS):  # "change the answers" of a preview: the form as it was
        return _form(profile_from(request.args))
    return _form({"priorities": []})


@bp.post("/ask")
@page(READ)
def answer():
    run, tenant = runtime(), principal().tenant_id
    submitted = profile_from(request.form)
    profile, errors = load_profile(submitted)
    if errors:
        return _form({**submitted, "priorities": submitted["priorities"]}, errors, 422)
    try:
        if request.form.get("action") == "save":
            if not may(WRITE):
                return _form(submitted, {"form": "This key may preview answers but not store them (it lacks "
                                                 "recommendations:write)."}, 403)
            created = recommendations.create(profile, tenant, run.sessions, key_id=principal().key_id)
            metrics.recommendation_stored(created.recommendation)
            return redirect(url_for("console.answer_page", id=created.id, stored=1), 303)
        document = recommendations.preview(profile, tenant, run.sessions)
    except InvalidInput as refused:  # what the schema could not know, such as a weight profile that is not yours
        return _form(submitted, field_errors(refused.errors or []) or {"form": refused.detail}, 422)
    return result_page.render(document, template="console/answer.html", stored=False, submitted=submitted,
                              can_save=may(WRITE))
