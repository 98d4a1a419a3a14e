"""/v1/requisitions/{external_id}/recommendation: one current answer per requisition, thin views.

A requisition is your `external_id`. Its current answer is simply its newest stored recommendation (made
here or by POST /v1/recommendations with that external id); the earlier ones stay as history, listed with
`GET /v1/recommendations?external_id=...`. No table of its own, so nothing can disagree with the list.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from marshmallow import ValidationError
from werkzeug.routing import BaseConverter

from schemas import CompanyProfileSchema, RecommendationSchema
from schemas.fields import String, text
from service import recommendations
from service.errors import InvalidInput, NotFound, field_error
from service.http import examples, metrics
from service.http.apidoc import PROFILE_BODY_MAX, body, json_response, problems, response
from service.http.conditional import conditional
from service.http.security import key_id, requires, tenant_id

bp = Blueprint("requisitions", __name__, url_prefix="/v1/requisitions")

READ = "recommendations:read"
WRITE = "recommendations:write"
_PROFILE = CompanyProfileSchema()
_EXTERNAL_ID = String(validate=text(1, 128))  # the rule of the profile field and of the list filter
_LOCATION = {"Location": {"description": "Path of the new answer: `/v1/recommendations/{id}`.",
                          "schema": {"type": "string"}}}
_LINKS = {"GetRecommendation": ("get_recommendation", {"id": "$response.body#/id"}),
          "GetCurrentAnswer": ("get_requisition_recommendation", {"external_id": "$request.path.external_id"})}

EXTERNAL_ID_IN_PATH = (
    "Your requisition id, the recommendations' `external_id`: 1 to 128 characters of one line, percent-encoded "
    "(a space is `%20`, `é` is `%C3%A9`). A `/` in it is sent as `%2F` and works as any other character, "
    "unless a proxy in front of hiremix rewrites encoded slashes; an id that is exactly `.` or `..` cannot be "
    "addressed (clients resolve those path segments). Such an id is still found by "
    "`GET /v1/recommendations?external_id=...`."
)


class ExternalIdConverter(BaseConverter):
    """Any text up to `/recommendation`, slashes included (the server decodes %2F before routing); what is
    not a valid external id is a 404 from the view."""

    regex = ".+?"
    part_isolating = False


# The converter comes with the blueprint, ahead of its rules.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("external_id", ExternalIdConverter))


def _sessions():
    return current_app.extensions["hiremix"].sessions


def _requisition(external_id: str) -> str:
    """The path's external id, or a 404: a path that cannot name a requisition names nothing."""
    try:
        return _EXTERNAL_ID.deserialize(external_id)
    except ValidationError:
        raise NotFound("This path names no requisition: an external id is 1 to 128 characters of one line.") \
            from None


@bp.put("/<external_id:external_id>/recommendation", merge_slashes=False)
@requires(WRITE)
@body(_PROFILE, examples=examples.REQUISITION_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@response(201, "A new current answer, stored; the previous one stays as history.", schema=RecommendationSchema,
          example=examples.recommendation_example, headers=_LOCATION, links=_LINKS,
          also={200: "The profile evaluates to exactly the current answer's profile: nothing was stored, and "
                     "this is the current answer, unchanged."})
@problems(400, 404, 413, 415, 422, 503)
def put_requisition_recommendation(profile: dict, external_id: str) -> Response:
    """Answer a requisition: evaluate a profile and make it the current answer.

    The body is a company profile as for `POST /v1/recommendations`; its `external_id` may be left out (the
    path gives it) or must equal the path's. When the evaluated profile (with the weight profile id and
    version it resolved to, and the metadata) is exactly the current answer's, nothing is stored and the
    current answer comes back unchanged with 200, so a retry is safe without an `Idempotency-Key`.
    Otherwise the answer is stored as the new current one (201, `Location` names it) and the earlier
    answers stay as history: list them, newest first, with `GET /v1/recommendations?external_id=...`.
    Deleting the current answer makes the newest remaining one current again.
    """
    external_id = _requisition(external_id)
    if profile.get("external_id") not in (None, external_id):
        raise InvalidInput("The body's external_id is not the requisition of the path.", errors=[field_error(
            "/external_id", "conflicts_with_path", "Leave external_id out, or give the one of the path.")])
    created, new = recommendations.answer_requisition(external_id, profile, tenant_id(), _sessions(),
                                                      key_id=key_id())
    if not new:
        return json_response(created.body)
    metrics.recommendation_stored(created.recommendation)
    return json_response(created.body, 201, {"Location": f"/v1/recommendations/{created.id}"})


@bp.get("/<external_id:external_id>/recommendation", merge_slashes=False)
@requires(READ)
@response(200, "The current answer, exactly as first returned.", schema=RecommendationSchema,
          example=examples.recommendation_example, conditional=True)
@problems(404, 503)
def get_requisition_recommendation(external_id: str) -> Response:
    """Fetch the current answer of a requisition.

    The current answer is the newest recommendation stored with this `external_id`, by
    `PUT /v1/requisitions/{external_id}/recommendation` or by `POST /v1/recommendations`. Deleting it makes the
    newest remaining one current; with none left, this is a 404. The strong `ETag` changes when the current
    answer does: revalidate with `If-None-Match`.
    """
    return conditional(json_response(recommendations.current_answer(_requisition(external_id), tenant_id(),
                                                                     _sessions())))
