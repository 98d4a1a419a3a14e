"""/v1/model, /v1/weight-profiles and /v1/simulations: thin views, one service call each."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from werkzeug.routing import BaseConverter

from schemas.simulation import SimulationRequestSchema, SimulationResultSchema
from schemas.weight_profile import (
    ModelCardSchema,
    PageQuerySchema,
    VersionPageQuerySchema,
    WeightProfileCreateSchema,
    WeightProfilePageSchema,
    WeightProfileSchema,
    WeightProfileVersionCreateSchema,
)
from service import simulations, weight_profiles
from service.engine import DEFAULT_WEIGHT_PROFILE
from service.engine.card import model_card
from service.http import examples
from service.http.apidoc import (
    PROFILE_BODY_MAX,
    SIMULATION_BODY_MAX,
    body,
    json_response,
    path_parameter,
    problems,
    query,
    response,
)
from service.http.conditional import conditional
from service.http.idempotent import idempotent
from service.http.security import key_id, public, requires, tenant_id
from service.ids import STORED_WEIGHT_PROFILE_ID, WEIGHT_PROFILE_ID
from service.weight_profiles import VERSION_MAX

model_bp = Blueprint("model", __name__, url_prefix="/v1/model")
bp = Blueprint("weight_profiles", __name__, url_prefix="/v1/weight-profiles")
simulations_bp = Blueprint("simulations", __name__, url_prefix="/v1/simulations")

READ = "weight_profiles:read"
WRITE = "weight_profiles:write"
_LOCATION = {"Location": {"description": "Path of the new version.", "schema": {"type": "string"}}}
_PROFILE = {"profile_id": "$response.body#/id"}
_PROFILE_LINKS = {  # what a client can do with a new version
    "GetWeightProfile": ("get_weight_profile", _PROFILE),
    "GetThisVersion": ("get_weight_profile_version", {**_PROFILE, "version": "$response.body#/version"}),
    "ListVersions": ("list_weight_profile_versions", _PROFILE),
    "AddVersion": ("create_weight_profile_version", _PROFILE),
}

class WeightProfileIdConverter(BaseConverter):
    regex = WEIGHT_PROFILE_ID


def _sessions():
    return current_app.extensions["hiremix"].sessions


@model_bp.get("", strict_slashes=False)
@public
@response(200, "The model card of the built-in weights.", schema=ModelCardSchema,
          example=lambda: model_card(DEFAULT_WEIGHT_PROFILE), conditional=True)
def get_model() -> Response:
    """Describe the model: factors, values, leans, weights, evidence.

    Every factor with its description, weight and allowed values; each value
    with its lean (-1 software engineers .. 1 product engineers) and the
    evidence ids (E1..E13) behind it; team-size bands with their ranges; the
    thresholds, how contributions combine, and the version and hash. Needs
    no key. It changes only with a new release of hiremix: revalidate with
    `If-None-Match`.
    """
    return conditional(json_response(model_card(DEFAULT_WEIGHT_PROFILE)), "public, max-age=300")


@bp.post("", strict_slashes=False)
@requires(WRITE)
@body(WeightProfileCreateSchema(), examples=examples.WEIGHT_PROFILE_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@idempotent
@response(201, "Created: version 1, complete.", schema=WeightProfileSchema, example=examples.weight_profile_example,
          headers=_LOCATION, links=_PROFILE_LINKS)
@problems(400, 413, 415, 422, 503)
def create_weight_profile(data: dict) -> Response:
    """Create a weight profile (version 1).

    Only `name` is required: `weights`, `leans` and `thresholds` replace the
    built-in profile's where given, and the stored profile is the complete
    result.
    """
    document = weight_profiles.create(data, tenant_id(), _sessions(), key_id=key_id())
    return json_response(document, 201, {"Location": _version_path(document)})


@bp.post("/<weight_profile_id:profile_id>/versions")
@requires(WRITE)
@body(WeightProfileVersionCreateSchema(), examples=examples.WEIGHT_PROFILE_VERSION_EXAMPLES,
      max_bytes=PROFILE_BODY_MAX)
@idempotent
@response(201, "Created: the next version, complete.", schema=WeightProfileSchema,
          example=lambda: {**examples.weight_profile_example(), "version": 2},
          headers=_LOCATION, links=_PROFILE_LINKS)
@path_parameter("profile_id", "One of your weight profiles: the built-in `wp_default` cannot get new versions.",
                pattern=f"^{STORED_WEIGHT_PROFILE_ID}$", example=examples.EXAMPLE_WEIGHT_PROFILE_ID)
@problems(400, 404, 409, 413, 415, 422, 503)
def create_weight_profile_version(data: dict, profile_id: str) -> Response:
    """Add the next version of a weight profile.

    The new version is the latest one with your changes; earlier versions
    never change, and recommendations made with them keep their answers.
    """
    document = weight_profiles.add_version(profile_id, data, tenant_id(), _sessions(), key_id=key_id())
    return json_response(document, 201, {"Location": _version_path(document)})


@bp.get("", strict_slashes=False)
@requires(READ)
@query(PageQuerySchema())
@response(200, "Your weight profiles (latest versions), newest first.", schema=WeightProfilePageSchema,
          example=examples.weight_profile_page_example)
@problems(422, 503)
def list_weight_profiles(params: dict) -> Response:
    """List your weight profiles.

    The built-in profile is not listed; fetch it as `wp_default`.
    """
    return _page(weight_profiles.newest(params, tenant_id(), _sessions()))


@bp.get("/<weight_profile_id:profile_id>")
@requires(READ)
@response(200, "The latest version.", schema=WeightProfileSchema, example=examples.weight_profile_example)
@problems(404, 503)
def get_weight_profile(profile_id: str) -> Response:
    """Fetch a weight profile's latest version (`wp_default`: the built-in one)."""
    return json_response(weight_profiles.fetch(profile_id, None, tenant_id(), _sessions()))


@bp.get("/<weight_profile_id:profile_id>/versions")
@requires(READ)
@query(VersionPageQuerySchema())
@response(200, "Every version, newest first.", schema=WeightProfilePageSchema,
          example=examples.weight_profile_page_example)
@problems(404, 422, 503)
def list_weight_profile_versions(params: dict, profile_id: str) -> Response:
    """List the versions of a weight profile."""
    return _page(weight_profiles.versions(profile_id, params, tenant_id(), _sessions()))


@bp.get(f"/<weight_profile_id:profile_id>/versions/<int(min=1, max={VERSION_MAX}):version>")
@requires(READ)
@response(200, "That version, exactly as made.", schema=WeightProfileSchema, example=examples.weight_profile_example,
          conditional=True)
@problems(404, 503)
def get_weight_profile_version(profile_id: str, version: int) -> Response:
    """Fetch one version of a weight profile.

    Versions never change once made: the strong `ETag` lets a client
    revalidate with `If-None-Match` and get 304.
    """
    return conditional(json_response(weight_profiles.fetch(profile_id, version, tenant_id(), _sessions())))


@simulations_bp.post("", strict_slashes=False)
@requires("recommendations:read")
@body(SimulationRequestSchema(), examples=examples.SIMULATION_EXAMPLES, max_bytes=SIMULATION_BODY_MAX)
@response(200, "Which recommendations the draft weights would change; nothing is stored.",
          schema=SimulationResultSchema, example=examples.simulation_example)
@problems(400, 413, 415, 422, 503)
def simulate(request_: dict) -> Response:
    """Replay recommendations under draft weights.

    Give draft weights inline (`weight_profile`) or name a stored profile
    (`weight_profile_id`). Replays the profiles you send, or else your
    newest 1,000 stored recommendations, and lists those whose
    recommendation would change, before and after. Stores nothing, so an
    `Idempotency-Key` is ignored.
    """
    return json_response(simulations.simulate(request_, tenant_id(), _sessions()))


def _page(page: weight_profiles.Page) -> Response:
    return json_response({"data": page.documents, "has_more": page.next_cursor is not None,
                          "next_cursor": page.next_cursor})


def _version_path(document: dict) -> str:
    return f"{bp.url_prefix}/{document['id']}/versions/{document['version']}"
