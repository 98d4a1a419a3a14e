"""Past answers: the list with filters and pages, each answer's page, delete with confirmation, the CSV, and
share links. Each calls the use case its API operation calls, with the same schemas."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from marshmallow import ValidationError

from schemas import RecommendationExportQuerySchema, RecommendationListQuerySchema
from schemas.sharing import ShareLinkCreateSchema
from service import csvio, recommendations
from service.engine.wording import OUTCOMES, VALUES
from service.http import result_page
from service.http.apidoc import invalid
from service.ids import RECOMMENDATION_ID
from service.paging import rfc3339
from service.sharing import links
from service.web.blueprint import READ, WRITE, bp, may, page, principal, runtime
from service.web.forms import field_errors, number

PAGE_SIZE = 20
SHARE_LINKS_SHOWN = 20
FILTERS = ("recommendation", "stage", "business_model", "external_id", "created_after", "created_before")


def _filters() -> dict[str, str]:
    """The list's filters as given (empty ones left out), at most 200 characters each."""
    return {name: request.args[name].strip()[:200] for name in FILTERS if request.args.get(name, "").strip()}


def _query(schema, extra: dict | None = None) -> tuple[dict | None, dict[str, str]]:
    given = _filters()
    for name in ("created_after", "created_before"):  # a date picker gives a day: the day's start, in UTC
        if len(given.get(name, "")) == 10:
            given[name] += "T00:00:00Z"
    try:
        return schema.load({**given, **(extra or {})}), {}
    except ValidationError as error:
        return None, field_errors(invalid("query", error.messages).errors)


@bp.get("/answers")
@page(READ)
def answers():
    cursor = request.args.get("cursor", "")[:200]
    params, errors = _query(RecommendationListQuerySchema(), {"limit": str(PAGE_SIZE), **({"cursor": cursor}
                                                                                           if cursor else {})})
    rows, next_cursor = [], None
    if params is not None:
        found = recommendations.newest(params, principal().tenant_id, runtime().sessions)
        rows, next_cursor = [json.loads(body) for body in found.bodies], found.next_cursor
    status = 422 if errors else 200
    return render_template("console/answers.html", rows=rows, filters=_filters(), errors=errors, choices=VALUES,
                           outcomes=OUTCOMES, next_cursor=next_cursor, first_page=not cursor,
                           can_delete=may(WRITE)), status


@bp.get("/answers.csv")
@page(READ)
def answers_csv():
    params, errors = _query(RecommendationExportQuerySchema())
    if params is None:
        return redirect(url_for("console.answers", **_filters()))
    documents = recommendations.every(params, principal().tenant_id, runtime().sessions)
    return Response(stream_with_context(csvio.write_recommendations(documents)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="recommendations.csv"'})


def _answer(id: str, status: int = 200, **extra):
    run, tenant = runtime(), principal().tenant_id
    document = json.loads(recommendations.fetch(id, tenant, run.sessions))
    shared = links.newest(id, {"limit": SHARE_LINKS_SHOWN}, tenant, run.sessions).documents
    return result_page.render(document, template="console/answer.html", stored=True, share_links=shared,
                              can_save=may(WRITE), just_stored=request.args.get("stored") == "1",
                              now_rfc3339=rfc3339(dt.datetime.now(dt.timezone.utc)),
                              **extra), status


@bp.get("/answers/<recommendation_id:id>")
@page(READ)
def answer_page(id: str):
    return _answer(id)


@bp.get("/answers/<recommendation_id:id>/delete")
@page(WRITE)
def confirm_delete(id: str):
    document = json.loads(recommendations.fetch(id, principal().tenant_id, runtime().sessions))
    return render_template("console/delete.html", r=document, outcomes=OUTCOMES)


@bp.post("/answers/<recommendation_id:id>/delete")
@page(WRITE)
def delete(id: str):
    recommendations.remove(id, principal().tenant_id, runtime().sessions, key_id=principal().key_id)
    flash(f"Answer {id} is deleted for good.", "success")
    return redirect(url_for("console.answers"), 303)


@bp.post("/answers/<recommendation_id:id>/share-links")
@page(WRITE)
def share(id: str):
    try:
        data = ShareLinkCreateSchema().load({"expires_in_days": number(request.form.get("expires_in_days", "30"))})
    except ValidationError as error:
        problems = field_errors(invalid("body", error.messages).errors)
        return _answer(id, 422, share_error=next(iter(problems.values())))
    made = links.create(id, data.get("expires_in_days"), principal().tenant_id, runtime().sessions,
                        key_id=principal().key_id)
    url = url_for("shared.shared_page", token=made.token, _external=True)
    return _answer(id, 201, new_link=url)


@bp.post("/share-links/<share_link_id:share_link_id>/revoke")
@page(WRITE)
def revoke_link(share_link_id: str):
    links.revoke(share_link_id, principal().tenant_id, runtime().sessions, key_id=principal().key_id)
    flash("The share link is revoked: it opens nothing any more.", "success")
    back = request.form.get("recommendation_id", "")
    if re.fullmatch(RECOMMENDATION_ID, back):
        return redirect(url_for("console.answer_page", id=back), 303)
    return redirect(url_for("console.answers"), 303)
