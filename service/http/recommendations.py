"""/v1/recommendations: thin views, one service call each."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, request, stream_with_context
from werkzeug.routing import BaseConverter

from schemas.batch import BATCH_MAX, RefusedItem
from schemas import (
    BatchRequestSchema,
    BatchResultSchema,
    CompanyProfileSchema,
    RecommendationExportQuerySchema,
    RecommendationListQuerySchema,
    RecommendationPageSchema,
    RecommendationPreviewSchema,
    RecommendationSchema,
)
from service import csvio, recommendations
from service.errors import HiremixError, InvalidInput, field_error
from service.http import examples, metrics, result_page
from service.http.apidoc import (
    BATCH_BODY_MAX,
    CSV,
    HTML,
    JSON,
    NEXT_PAGE_HEADER,
    PROFILE_BODY_MAX,
    body,
    invalid,
    json_response,
    next_page_headers,
    preferred,
    problems,
    query,
    response,
)
from service.http.conditional import conditional
from service.http.idempotent import idempotent
from service.http.problems import problem_body, request_id
from service.http.security import key_id, requires, tenant_id
from service.http.versions import ACCEPT_NEGOTIATION
from service.ids import RECOMMENDATION_ID

bp = Blueprint("recommendations", __name__, url_prefix="/v1/recommendations")
log = logging.getLogger("hiremix")

READ = "recommendations:read"
WRITE = "recommendations:write"
_PROFILE = CompanyProfileSchema()
_LOCATION = {"Location": {"description": "Path of the stored recommendation.", "schema": {"type": "string"}}}
_ATTACHMENT = {"Content-Disposition": {"description": '`attachment; filename="recommendations.csv"`.',
                                       "schema": {"type": "string"}}}
# Asking a JSON operation for CSV or HTML with Accept still works, deprecated since 2026-11-28.
_NEGOTIATED = {
    "Deprecation": {"description": "Only on an answer in another media type chosen with `Accept` (CSV here, the "
                                   "HTML page from a fetch): that way is deprecated since 2026-11-28 "
                                   "(RFC 9745). `Link` then names the operation to use instead "
                                   '(`rel="successor-version"`).', "schema": {"type": "string"}},
    "Sunset": {"description": "With `Deprecation`: when that way stops (RFC 8594).", "schema": {"type": "string"}},
}


class RecommendationIdConverter(BaseConverter):
    """Only well-formed ids reach a view: /v1/recommendations/preview stays a POST-only path."""

    regex = RECOMMENDATION_ID


def _sessions():
    return current_app.extensions["hiremix"].sessions


@bp.post("", strict_slashes=False)
@requires(WRITE)
@body(_PROFILE, examples=examples.PROFILE_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@idempotent
@response(201, "Evaluated and stored.", schema=RecommendationSchema, example=examples.recommendation_example,
          headers=_LOCATION, links={"GetRecommendation": ("get_recommendation", {"id": "$response.body#/id"}),
                                    "DeleteRecommendation": ("delete_recommendation", {"id": "$response.body#/id"}),
                                    "CreateShareLink": ("create_share_link", {"id": "$response.body#/id"})})
@problems(400, 413, 415, 422, 503)
def create_recommendation(profile: dict) -> Response:
    """Evaluate a company profile and store the recommendation.

    Returns the weighted, explained recommendation. The same body is returned
    by every later GET of its `Location`.
    """
    created = recommendations.create(profile, tenant_id(), _sessions(), key_id=key_id())
    metrics.recommendation_stored(created.recommendation)
    return json_response(created.body, 201, {"Location": f"{bp.url_prefix}/{created.id}"})


@bp.post("/preview")
@requires(READ)
@body(_PROFILE, examples=examples.PROFILE_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@response(200, "Evaluated; nothing stored.", schema=RecommendationPreviewSchema, example=examples.preview_example)
@problems(400, 413, 415, 422, 503)
def preview_recommendation(profile: dict) -> Response:
    """Evaluate a company profile without storing anything.

    The body is a recommendation without `id` and `created_at`. Needs only
    the `recommendations:read` scope. Nothing is kept, so an `Idempotency-Key`
    is ignored: a repeated preview is simply evaluated again.
    """
    return json_response(recommendations.preview(profile, tenant_id(), _sessions()))


@bp.post("/batch")
@requires(WRITE)
@body(BatchRequestSchema(), examples=examples.BATCH_EXAMPLES, max_bytes=BATCH_BODY_MAX,
      csv=(lambda text: {"items": csvio.read_profiles(text, BATCH_MAX)}, examples.BATCH_CSV_EXAMPLE))
@idempotent
@response(200, "One result per profile, in order: stored ones with their recommendation, refused ones with "
               "their problem.", schema=BatchResultSchema, example=examples.batch_example)
@problems(400, 413, 415, 422, 503)
def batch_recommendations(batch: dict) -> Response:
    """Evaluate and store up to 100 profiles at once.

    Send `{"items": [profile, ...]}` as JSON, or `text/csv` with a header row
    of profile field names (`priorities` separated by `;`, empty cells left
    out). Each profile is validated on its own: valid ones are stored (all in
    one transaction), invalid ones get their own problem with pointers
    relative to the item. The answer is 200 as long as the batch itself is
    well-formed and its items hold at most 50 errors in all; with more, the
    batch is refused whole (422, nothing stored) and the first 50 errors are
    listed with pointers such as `/items/3/stage`.
    """
    results = recommendations.create_many([_refusal_or_profile(item) for item in batch["items"]], tenant_id(),
                                          _sessions(), key_id=key_id())
    parts, stored = [], 0
    for index, result in enumerate(results):
        if isinstance(result, HiremixError):
            problem = problem_body(result.status, result.code, result.detail, errors=result.errors)
            parts.append(json.dumps({"index": index, "status": result.status, "problem": problem},
                                    separators=(",", ":")))
        else:
            stored += 1
            metrics.recommendation_stored(result.recommendation)
            # The stored body is already JSON: splice it in as every later GET returns it.
            parts.append(f'{{"index":{index},"status":201,"recommendation":{result.body}}}')
    tail = f'"stored":{stored},"failed":{len(results) - stored}'
    return json_response('{"items":[' + ",".join(parts) + "]," + tail + "}")


@bp.get("", strict_slashes=False)
@requires(READ)
@query(RecommendationListQuerySchema())
@response(200, "A page of stored recommendations, newest first.", schema=RecommendationPageSchema,
          example=examples.page_example, headers={**NEXT_PAGE_HEADER, **_NEGOTIATED})
@problems(422, 503)
def list_recommendations(params: dict) -> Response:
    """List your stored recommendations, newest first.

    Cursor-paginated: pass `next_cursor` as `cursor` for the next page, or
    follow the `Link` header. Filters combine with AND. For every matching
    recommendation as CSV, use `GET /v1/recommendations/export`.
    """
    if _wants_csv():  # the way before 2026-11-28: still served, deprecated
        return _deprecated(_export(params, through_list=True), _EXPORT_PATH)
    page = recommendations.newest(params, tenant_id(), _sessions())
    return json_response(_page_json(page), 200, {"Vary": "Accept", **next_page_headers(page.next_cursor)})


_EXPORT_PATH = f"{bp.url_prefix}/export"


@bp.get("/export")
@requires(READ)
@query(RecommendationExportQuerySchema())
@response(200, "Every matching recommendation as CSV, newest first, one row each, streamed.", schema={
    "type": "string", "description": f"Columns: {', '.join(csvio.EXPORT_COLUMNS)}."},
          example=examples.export_csv_example, media_type=CSV, headers=_ATTACHMENT)
@problems(422, 503)
def export_recommendations(params: dict) -> Response:
    """Export your stored recommendations as CSV.

    Takes the filters of the list (not `limit` or `cursor`: the export holds
    every match). A cell that a spreadsheet would read as a formula is
    prefixed with `'`.
    """
    return _export(params)


@bp.get("/<recommendation_id:id>")
@requires(READ)
@response(200, "The stored recommendation, exactly as first returned.", schema=RecommendationSchema,
          example=examples.recommendation_example, headers=_NEGOTIATED, conditional=True)
@problems(404, 503)
def get_recommendation(id: str) -> Response:
    """Fetch one of your stored recommendations.

    Stored answers never change: the strong `ETag` lets a client revalidate
    with `If-None-Match` and get 304. For the page people read, use
    `GET /v1/recommendations/{id}/page`.
    """
    body = recommendations.fetch(id, tenant_id(), _sessions())
    if preferred(JSON, HTML) == HTML:  # the way before 2026-11-28: still served, deprecated
        return _deprecated(_page(body), f"{bp.url_prefix}/{id}/page")
    return conditional(json_response(body, headers={"Vary": "Accept"}))


@bp.get("/<recommendation_id:id>/page")
@requires(READ)
@response(200, "A readable, printable page of the stored recommendation.", schema={"type": "string"},
          media_type=HTML)
@problems(404, 503)
def get_recommendation_page(id: str) -> Response:
    """Read one of your stored recommendations as a page.

    The verdict, the product/software split, each factor's contribution,
    what would change it and the role profiles, for people rather than
    programs. Open it in a browser: it asks for a user name, which is your
    API key (leave the password empty).
    """
    return _page(recommendations.fetch(id, tenant_id(), _sessions()))


def _page(body: str) -> Response:
    # A tenant's data, often fetched with credentials the browser remembers: kept out of shared and disk caches.
    return Response(result_page.render(json.loads(body)), mimetype=HTML,
                    headers={"Vary": "Accept", "Cache-Control": "private, no-store"})


def _deprecated(response: Response, successor: str) -> Response:
    response.headers.update(ACCEPT_NEGOTIATION.headers(successor))
    return response


@bp.delete("/<recommendation_id:id>")
@requires(WRITE)
@response(204, "Erased.")
@problems(404, 503)
def delete_recommendation(id: str) -> Response:
    """Erase one of your stored recommendations for good.

    When it was the current answer of a requisition (the newest with its `external_id`), the newest
    remaining answer of that requisition becomes current; with none left, the requisition has no answer
    (404).
    """
    recommendations.remove(id, tenant_id(), _sessions(), key_id=key_id())
    return Response(status=204)


def _wants_csv() -> bool:
    return preferred(JSON, CSV) == CSV


def _refusal_or_profile(item) -> dict | HiremixError:
    """A loaded batch item as the profile to store, or the problem of an item refused on its own."""
    return invalid("body", item.messages) if isinstance(item, RefusedItem) else item


def _export(params: dict, through_list: bool = False) -> Response:
    if through_list:  # through the list's Accept: its paging parameters do not apply
        paging = [name for name in ("limit", "cursor") if name in request.args]
        if paging:
            raise InvalidInput(
                "The CSV export holds every matching recommendation; it is not paginated.",
                errors=[field_error(f"/{name}", "not_applicable", "Leave this parameter out with Accept: text/csv.",
                                    parameter=name) for name in paging],
            )
    documents = recommendations.every(params, tenant_id(), _sessions())
    return Response(
        stream_with_context(_logged(csvio.write_recommendations(documents))),
        mimetype=CSV,
        headers={"Content-Disposition": 'attachment; filename="recommendations.csv"', "Vary": "Accept"},
    )


def _logged(chunks):
    """Once the stream has started the status is sent; a later failure can only be logged, and cut it short."""
    try:
        yield from chunks
    except Exception:
        log.exception("the CSV export failed part-way (request %s); the download is cut short", request_id())
        raise


def _page_json(page: recommendations.Page) -> str:
    # The stored bodies are already JSON: splice them in rather than parse and re-dump.
    tail = {"has_more": page.next_cursor is not None, "next_cursor": page.next_cursor}
    return '{"data":[' + ",".join(page.bodies) + "]," + json.dumps(tail, separators=(",", ":"))[1:]

