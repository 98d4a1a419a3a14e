"""Tuning: the model and the tenant's weight profiles; a draft of weights and thresholds, simulated against
stored answers, then saved as a new profile or a new version.

The draft is the very body POST /v1/weight-profiles takes (name included), so what was simulated is what
is saved; the API's schemas validate it. A draft made from a stored profile carries that profile's leans,
interactions and curve, so it changes only what the form changed.
"""

from __future__ import annotations

import json
import math
import re

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from schemas.simulation import SimulationRequestSchema
from schemas.weight_profile import WeightProfileCreateSchema, WeightProfileVersionCreateSchema
from service import recommendations, simulations, weight_profiles
from service.engine.catalogue import FACTORS
from service.engine.weights import DEFAULT_WEIGHT_PROFILE
from service.engine.wording import OUTCOMES, label
from service.errors import NotFound
from service.ids import WEIGHT_PROFILE_ID
from service.http.apidoc import invalid
from service.web.blueprint import PROFILES_READ, PROFILES_WRITE, READ, bp, may, page, principal, runtime
from service.web.forms import field_errors

PROFILES_SHOWN = 50
CHANGES_SHOWN = 50  # changed answers listed with their company; the count covers them all
FACTOR_NAMES = tuple(factor.name for factor in FACTORS)


def _base(profile_id: str) -> dict:
    """The version a draft starts from: the built-in weights, or the latest version of one of the tenant's."""
    profile_id = profile_id or DEFAULT_WEIGHT_PROFILE.id
    if not re.fullmatch(WEIGHT_PROFILE_ID, profile_id):
        raise NotFound("There are no such weights to start a draft from.")
    return weight_profiles.fetch(profile_id, None, principal().tenant_id, runtime().sessions)


@bp.get("/tuning")
@page(PROFILES_READ)
def tuning():
    found = weight_profiles.newest({"limit": PROFILES_SHOWN}, principal().tenant_id, runtime().sessions)
    return render_template("console/tuning.html", built_in=weight_profiles.built_in_document(),
                           factors=FACTORS, profiles=found.documents, more=found.next_cursor is not None,
                           label=label)


def _number(text: str):
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return text.strip()[:40]
    return value if math.isfinite(value) else text.strip()[:40]


def _percent(share: float) -> str:
    """A threshold as the form shows it: 0.4 -> "40"."""
    return f"{share * 100:g}"


def _draft_from(form, base: dict) -> dict:
    """The body of POST /v1/weight-profiles the form describes: the base's model, leans, interactions and curve,
    with the form's name, weights and thresholds (shares typed as percentages). A threshold left as shown keeps
    the base's exact value, so only what was changed changes."""
    draft = {"name": form.get("name", "").strip()[:300], "model_version": base["model_version"],
             "weights": {name: _number(form.get(f"weight.{name}", "")[:40]) for name in FACTOR_NAMES},
             "thresholds": {}}
    for bound in ("lower", "upper"):
        typed = form.get(f"threshold.{bound}", "")[:40].strip()
        value = _number(typed)
        if typed == _percent(base["thresholds"][bound]):
            value = base["thresholds"][bound]
        elif isinstance(value, float):
            value = value / 100
        draft["thresholds"][bound] = value
    if base["id"] != DEFAULT_WEIGHT_PROFILE.id:
        for part in ("leans", "interactions", "team_size_curve"):
            if base.get(part):
                draft[part] = base[part]
    return draft


def _values_of(draft: dict) -> dict:
    values = {"name": draft["name"]}
    values.update({f"weight.{name}": weight for name, weight in draft["weights"].items()})
    for bound, share in draft["thresholds"].items():
        values[f"threshold.{bound}"] = _percent(share) if isinstance(share, float) else share
    return values


def _draft_field(parts: list[str]) -> str:
    """The draft form's field a pointer names: weights/stage -> weight.stage, thresholds/lower -> threshold.lower."""
    if parts[:1] == ["weights"] and len(parts) > 1:
        return f"weight.{parts[1]}"
    if parts[:1] == ["thresholds"]:
        return f"threshold.{parts[1]}" if len(parts) > 1 else "thresholds"
    return parts[0] if parts else "form"


def _errors(error: ValidationError, location: str) -> dict[str, str]:
    """{form field: message} of the schema's errors, their pointers read below `location`."""
    return field_errors(invalid("body", error.messages).errors,
                        field_of=lambda parts: _draft_field([part for part in parts if part != location]))


def _draft_page(base: dict, values: dict, errors: dict | None = None, result: dict | None = None,
                status: int = 200):
    return render_template("console/draft.html", base=base, values=values, errors=errors or {}, result=result,
                           factors=FACTORS, label=label, outcomes=OUTCOMES, can_save=may(PROFILES_WRITE),
                           can_simulate=may(READ), built_in_id=DEFAULT_WEIGHT_PROFILE.id), status


@bp.get("/tuning/draft")
@page(PROFILES_READ)
def draft():
    base = _base(request.args.get("from", ""))
    name = base["name"] if base["id"] != DEFAULT_WEIGHT_PROFILE.id else "My weights"
    return _draft_page(base, _values_of({"name": name, "weights": base["weights"],
                                         "thresholds": base["thresholds"]}))


@bp.post("/tuning/draft")
@page(PROFILES_READ)
def draft_action():
    base = _base(request.form.get("from", ""))
    body = _draft_from(request.form, base)
    values = {key: request.form.get(key, "")[:300] for key in _values_of(body)}
    action = request.form.get("action", "")
    if action == "simulate":
        return _simulate(base, body, values)
    if action not in ("save_new", "save_version") or (action == "save_version"
                                                     and base["id"] == DEFAULT_WEIGHT_PROFILE.id):
        return _draft_page(base, values, {"form": "Choose Simulate, or one of the Save buttons."}, status=400)
    if not may(PROFILES_WRITE):
        return _draft_page(base, values, {"form": "Saving needs the scope weight_profiles:write."}, status=403)
    new_version = action == "save_version"
    schema = WeightProfileVersionCreateSchema() if new_version else WeightProfileCreateSchema()
    try:
        loaded = schema.load(body)
    except ValidationError as error:
        return _draft_page(base, values, _errors(error, ""), status=422)
    run, who = runtime(), principal()
    if new_version:
        saved = weight_profiles.add_version(base["id"], loaded, who.tenant_id, run.sessions, key_id=who.key_id)
    else:
        saved = weight_profiles.create(loaded, who.tenant_id, run.sessions, key_id=who.key_id)
    flash(f"Saved “{saved['name']}” as version {saved['version']} ({saved['id']}). Choose it on the Ask page, "
          f"or send weight_profile_id {saved['id']} to the API.", "success")
    return redirect(url_for("console.tuning"), 303)


def _simulate(base: dict, body: dict, values: dict):
    if not may(READ):
        return _draft_page(base, values, {"form": "Simulating needs the scope recommendations:read."}, status=403)
    if not body["name"]:
        body = {key: value for key, value in body.items() if key != "name"}  # a name matters only when saving
    try:
        loaded = SimulationRequestSchema().load({"weight_profile": body})
    except ValidationError as error:
        return _draft_page(base, values, _errors(error, "weight_profile"), status=422)
    result = simulations.simulate(loaded, principal().tenant_id, runtime().sessions)
    return _draft_page(base, values, result=_with_companies(result))


def _with_companies(result: dict) -> dict:
    """The simulation, with each of the first CHANGES_SHOWN changed answers' company name and stage for people."""
    run, tenant = runtime(), principal().tenant_id
    shown = []
    for item in result["items"][:CHANGES_SHOWN]:
        try:
            document = json.loads(recommendations.fetch(item["id"], tenant, run.sessions))
        except NotFound:  # deleted since it was replayed
            continue
        shown.append({**item, "profile": document["profile"]})
    return {**result, "shown": shown}
