"""/v1/webhook-endpoints: thin views over service.webhooks.endpoints."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from werkzeug.routing import BaseConverter

from schemas.webhooks import (DeliveryPageQuerySchema, EndpointPageQuerySchema, WebhookDeliveryPageSchema,
                              WebhookDeliverySchema, WebhookEndpointCreateSchema, WebhookEndpointPageSchema,
                              WebhookEndpointSchema, WebhookEndpointUpdateSchema, WebhookEndpointWithSecretSchema)
from service.http.apidoc import (NEXT_PAGE_HEADER, PROFILE_BODY_MAX, body, json_response, page_response, problems,
                                 query, response)
from service.http.security import key_id, requires, tenant_id
from service.ids import WEBHOOK_DELIVERY_ID, WEBHOOK_ENDPOINT_ID
from service.webhooks.endpoints import Endpoints

bp = Blueprint("webhook_endpoints", __name__, url_prefix="/v1/webhook-endpoints")

MANAGE = "webhooks:manage"
EXAMPLE_ENDPOINT_ID = "whe_01jdk5m7c2v8q4x6r9t3w0y1zc"
EXAMPLE_DELIVERY_ID = "whd_01jdk5m7c2v8q4x6r9t3w0y1zd"
_ENDPOINT = {
    "id": EXAMPLE_ENDPOINT_ID, "url": "https://ats.example.com/hooks/hiremix",
    "event_types": ["recommendation.created", "recommendation.deleted"], "description": "Requisition sync",
    "enabled": True, "disabled_reason": None, "created_at": "2026-11-28T09:30:00.000000Z",
    "updated_at": "2026-11-28T09:30:00.000000Z",
}
_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_DELIVERY = {
    "id": EXAMPLE_DELIVERY_ID, "event_id": "msg_01jdk5m7c2v8q4x6r9t3w0y1ze", "event_type": "recommendation.created",
    "endpoint_id": EXAMPLE_ENDPOINT_ID, "status": "pending", "attempt_count": 1,
    "next_attempt_at": "2026-11-28T09:30:06.000000Z", "last_status_code": 503,
    "last_error": "The receiver answered 503.", "created_at": "2026-11-28T09:30:00.000000Z",
    "updated_at": "2026-11-28T09:30:01.000000Z",
    "attempts": [{"number": 1, "attempted_at": "2026-11-28T09:30:01.000000Z", "duration_ms": 84, "status_code": 503,
                  "error": "The receiver answered 503."}],
}
CREATE_EXAMPLES = {
    "local_receiver": {
        "summary": "A receiver on this machine (development: http to loopback is allowed)",
        "value": {"url": "http://127.0.0.1:9000/hooks", "event_types": ["recommendation.created",
                                                                         "recommendation.deleted"],
                  "description": "examples/webhook_receiver.py"},
    },
}
UPDATE_EXAMPLES = {
    "more_events": {"summary": "Also receive new weight-profile versions",
                    "value": {"event_types": ["recommendation.created", "recommendation.deleted",
                                              "weight_profile.version_created"]}},
    "resume": {"summary": "Start deliveries again after disabling them (`false` stops them)",
               "value": {"enabled": True}},
}


class EndpointIdConverter(BaseConverter):
    regex = WEBHOOK_ENDPOINT_ID


class DeliveryIdConverter(BaseConverter):
    regex = WEBHOOK_DELIVERY_ID


def _endpoints() -> Endpoints:
    runtime = current_app.extensions["hiremix"]
    return Endpoints(runtime.settings, runtime.sessions, tenant_id(), key_id())


@bp.post("", strict_slashes=False)
@requires(MANAGE)
@body(WebhookEndpointCreateSchema(), examples=CREATE_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@response(201, "Created; deliveries start with the next event.", schema=WebhookEndpointWithSecretSchema,
          example={**_ENDPOINT, "secret": _SECRET},
          headers={"Location": {"description": "Path of the endpoint.", "schema": {"type": "string"}}},
          links={name: (operation, {"endpoint_id": "$response.body#/id"}) for name, operation in (
              ("GetWebhookEndpoint", "get_webhook_endpoint"), ("UpdateWebhookEndpoint", "update_webhook_endpoint"),
              ("SendTestEvent", "send_test_event"), ("ListDeliveries", "list_webhook_deliveries"),
              ("RotateSecret", "rotate_webhook_secret"), ("DeleteWebhookEndpoint", "delete_webhook_endpoint"))})
@problems(400, 413, 415, 422, 503)
def create_webhook_endpoint(data: dict) -> Response:
    """Register a URL to receive events.

    Each delivery is a POST signed the Standard Webhooks way (`webhook-id`,
    `webhook-timestamp`, `webhook-signature`): verify it with the
    `standardwebhooks` library and the `secret` returned here. The secret
    is in this answer only, so this operation takes no `Idempotency-Key`
    (a replayed answer would have to keep it): if the answer is lost,
    delete the endpoint or rotate its secret.
    """
    created = _endpoints().create(data)
    return json_response(created, 201, {"Location": f"{bp.url_prefix}/{created['id']}"})


@bp.get("", strict_slashes=False)
@requires(MANAGE)
@query(EndpointPageQuerySchema())
@response(200, "Your webhook endpoints, newest first.", schema=WebhookEndpointPageSchema,
          example={"data": [_ENDPOINT], "has_more": False, "next_cursor": None}, headers=NEXT_PAGE_HEADER)
@problems(422, 503)
def list_webhook_endpoints(params: dict) -> Response:
    """List your webhook endpoints (never their secrets)."""
    page = _endpoints().page(params)
    return page_response(page.data, page.next_cursor)


@bp.get("/<endpoint_id:endpoint_id>")
@requires(MANAGE)
@response(200, "The endpoint (never its secret).", schema=WebhookEndpointSchema, example=_ENDPOINT)
@problems(404, 503)
def get_webhook_endpoint(endpoint_id: str) -> Response:
    """Fetch one of your webhook endpoints."""
    return json_response(_endpoints().fetch(endpoint_id))


@bp.patch("/<endpoint_id:endpoint_id>")
@requires(MANAGE)
@body(WebhookEndpointUpdateSchema(), examples=UPDATE_EXAMPLES, max_bytes=PROFILE_BODY_MAX)
@response(200, "Updated.", schema=WebhookEndpointSchema, example=_ENDPOINT)
@problems(400, 404, 413, 415, 422, 503)
def update_webhook_endpoint(data: dict, endpoint_id: str) -> Response:
    """Change an endpoint's URL, events or description, or disable and enable it.

    `enabled: false` stops deliveries: due ones are marked failed with the
    reason and can be re-sent later. An endpoint that failed every delivery
    for days is disabled the same way, and says why in `disabled_reason`.
    """
    return json_response(_endpoints().update(endpoint_id, data))


@bp.delete("/<endpoint_id:endpoint_id>")
@requires(MANAGE)
@response(204, "Deleted, with its deliveries.")
@problems(404, 503)
def delete_webhook_endpoint(endpoint_id: str) -> Response:
    """Delete a webhook endpoint and its delivery history."""
    _endpoints().delete(endpoint_id)
    return Response(status=204)


@bp.post("/<endpoint_id:endpoint_id>/rotate-secret")
@requires(MANAGE)
@response(200, "The new secret; the previous one keeps signing for 24 hours.",
          schema=WebhookEndpointWithSecretSchema, example={**_ENDPOINT, "secret": _SECRET})
@problems(404, 503)
def rotate_webhook_secret(endpoint_id: str) -> Response:
    """Give an endpoint a new signing secret.

    For 24 hours each delivery carries two signatures (space-separated in
    `webhook-signature`), one per secret, so a receiver verifies with
    either while it switches over.
    """
    return json_response(_endpoints().rotate_secret(endpoint_id))


@bp.post("/<endpoint_id:endpoint_id>/test")
@requires(MANAGE)
@response(202, "Queued: a `webhook.test` event, for this endpoint only.", schema=WebhookDeliverySchema,
          example={**_DELIVERY, "event_type": "webhook.test", "status": "pending", "attempt_count": 0,
                   "last_status_code": None, "last_error": None, "attempts": []},
          links={"ResendDelivery": ("resend_webhook_delivery", {"endpoint_id": "$response.body#/endpoint_id",
                                                                "delivery_id": "$response.body#/id"})})
@problems(404, 409, 503)
def send_test_event(endpoint_id: str) -> Response:
    """Send a test event to an endpoint.

    Follow it in the endpoint's deliveries. A disabled endpoint gets
    nothing (409).
    """
    return json_response(_endpoints().send_test(endpoint_id), 202)


@bp.get("/<endpoint_id:endpoint_id>/deliveries")
@requires(MANAGE)
@query(DeliveryPageQuerySchema())
@response(200, "The endpoint's deliveries, newest first, each with its attempts.",
          schema=WebhookDeliveryPageSchema, example={"data": [_DELIVERY], "has_more": False, "next_cursor": None},
          headers=NEXT_PAGE_HEADER)
@problems(404, 422, 503)
def list_webhook_deliveries(params: dict, endpoint_id: str) -> Response:
    """List an endpoint's deliveries and their attempts.

    Kept for `HIREMIX_WEBHOOK_RETENTION_DAYS` (30 by default) once finished.
    """
    page = _endpoints().deliveries(endpoint_id, params)
    return page_response(page.data, page.next_cursor)


@bp.post("/<endpoint_id:endpoint_id>/deliveries/<delivery_id:delivery_id>/resend")
@requires(MANAGE)
@response(202, "Queued again, as a new delivery of the same event.", schema=WebhookDeliverySchema,
          example={**_DELIVERY, "status": "pending", "attempt_count": 0, "last_status_code": None,
                   "last_error": None, "attempts": []})
@problems(404, 409, 503)
def resend_webhook_delivery(endpoint_id: str, delivery_id: str) -> Response:
    """Send an event again.

    The new delivery has the same `webhook-id`, so a receiver that already
    has the event drops it. Events about a recommendation that was deleted
    since are gone (404).
    """
    return json_response(_endpoints().resend(endpoint_id, delivery_id), 202)

