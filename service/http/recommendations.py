"""/v1/recommendations: thin views, one service call each."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from werkzeug.routing import BaseConverter

from schemas import (
    CompanyProfileSchema,
    RecommendationListQuerySchema,
    RecommendationPageSchema,
    RecommendationPreviewSchema,
    RecommendationSchema,
)
from service import recommendations
from service.http import examples
from service.http.apidoc import body, json_response, problems, query, response
from service.ids import RECOMMENDATION_ID

bp = Blueprint("recommendations", __name__, url_prefix="/v1/recommendations")

_PROFILE = CompanyProfileSchema()
_LOCATION = {"Location": {"description": "Path of the stored recommendation.", "schema": {"type": "string"}}}
_LINK = {"Link": {"description": 'The next page, `<url>; rel="next"`, while there is one.', "schema": {"type": "string"}}}


class RecommendationIdConverter(BaseConverter):
    """Only well-formed ids reach a view: /v1/recommendations/preview stays a POST-only path."""

    regex = RECOMMENDATION_ID


def _sessions():
    return current_app.extensions["hiremix"].sessions


@bp.post("", strict_slashes=False)
@body(_PROFILE, examples=examples.PROFILE_EXAMPLES)
@response(201, "Evaluated and stored.", schema=RecommendationSchema, example=examples.recommendation_example,
          headers=_LOCATION)
@problems(400, 413, 415, 422, 503)
def create_recommendation(profile: dict) -> Response:
    """Evaluate a company profile and store the recommendation.

    Returns the weighted, explained recommendation. The same body is returned
    by every later GET of its `Location`.
    """
    created = recommendations.create(profile, _sessions())
    return json_response(created.body, 201, {"Location": f"{bp.url_prefix}/{created.id}"})


@bp.post("/preview")
@body(_PROFILE, examples=examples.PROFILE_EXAMPLES)
@response(200, "Evaluated; nothing stored.", schema=RecommendationPreviewSchema, example=examples.preview_example)
@problems(400, 413, 415, 422)
def preview_recommendation(profile: dict) -> Response:
    """Evaluate a company profile without storing anything.

    The body is a recommendation without `id` and `created_at`.
    """
    return json_response(recommendations.preview(profile))


@bp.get("", strict_slashes=False)
@query(RecommendationListQuerySchema())
@response(200, "A page of stored recommendations, newest first.", schema=RecommendationPageSchema,
          example=examples.page_example, headers=_LINK)
@problems(422, 503)
def list_recommendations(params: dict) -> Response:
    """List stored recommendations, newest first.

    Cursor-paginated: pass `next_cursor` as `cursor` for the next page, or
    follow the `Link` header. Filters combine with AND.
    """
    page = recommendations.newest(params, _sessions())
    headers = {"Link": f'<{_next_page_url(page.next_cursor)}>; rel="next"'} if page.next_cursor else None
    return json_response(_page_json(page), 200, headers)


@bp.get("/<recommendation_id:id>")
@response(200, "The stored recommendation, exactly as first returned.", schema=RecommendationSchema,
          example=examples.recommendation_example)
@problems(404, 503)
def get_recommendation(id: str) -> Response:
    """Fetch one stored recommendation."""
    return json_response(recommendations.fetch(id, _sessions()))


@bp.delete("/<recommendation_id:id>")
@response(204, "Erased.")
@problems(404, 503)
def delete_recommendation(id: str) -> Response:
    """Erase a stored recommendation for good."""
    recommendations.remove(id, _sessions())
    return Response(status=204)


def _page_json(page: recommendations.Page) -> str:
    # The stored bodies are already JSON: splice them in rather than parse and re-dump.
    tail = {"has_more": page.next_cursor is not None, "next_cursor": page.next_cursor}
    return '{"data":[' + ",".join(page.bodies) + "]," + json.dumps(tail, separators=(",", ":"))[1:]


def _next_page_url(cursor: str) -> str:
    args = request.args.to_dict()
    args["cursor"] = cursor
    return f"{request.base_url}?{urlencode(args)}"
