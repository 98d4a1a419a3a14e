"""The OpenAPI 3.1 `webhooks` section: what a receiver gets, one entry per event type."""

from __future__ import annotations

from schemas.webhooks import (RecommendationCreatedEventSchema, RecommendationDeletedEventSchema, TestEventSchema,
                              WeightProfileVersionCreatedEventSchema)
from service.webhooks import TEST_EVENT

_HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "The event's id (`msg_...`): the same on every retry and re-send. Keep the ids you have "
                    "handled and drop repeats: delivery is at least once.", "example": "msg_01jdk5m7c2v8q4x6r9t3w0y1ze"},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Seconds since the epoch when this attempt was signed; refuse one more than 5 minutes away "
                    "from your clock (the `standardwebhooks` libraries do).", "example": "1795860600"},
    {"name": "webhook-signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "`v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the "
                    "endpoint's secret; two, space-separated, for 24 hours after a rotation. Verify with "
                    "`standardwebhooks` (Python, JavaScript, Go, Java, Ruby, PHP, Rust, C#).",
     "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
]
_EVENTS = (
    ("recommendation.created", "RecommendationCreatedEvent", RecommendationCreatedEventSchema,
     "A recommendation was stored",
     "Sent when a recommendation is stored (POST /v1/recommendations, a batch item, or a requisition's new "
     "answer). `data` is the stored body, byte for byte what GET returns."),
    ("recommendation.deleted", "RecommendationDeletedEvent", RecommendationDeletedEventSchema,
     "A recommendation was erased",
     "Sent when a recommendation is deleted. `data` holds only its id: the erased answer travels nowhere, and "
     "earlier events that carried it are erased too (a `recommendation.created` not yet delivered is never "
     "sent)."),
    ("weight_profile.version_created", "WeightProfileVersionCreatedEvent", WeightProfileVersionCreatedEventSchema,
     "A weight-profile version was made",
     "Sent for version 1 of a new weight profile and for every later version."),
    (TEST_EVENT, "TestEvent", TestEventSchema, "A test event",
     "Sent only to the endpoint named in POST /v1/webhook-endpoints/{endpoint_id}/test; never subscribed to."),
)


def section(spec) -> dict:
    """Register each event's body schema in `spec` and return the `webhooks` object."""
    hooks = {}
    for event_type, component, schema, summary, description in _EVENTS:
        spec.components.schema(component, schema=schema)
        hooks[event_type] = {"post": {
            "operationId": "on_" + event_type.replace(".", "_"),
            "summary": summary,
            "description": description + " Answer any 2xx within 10 seconds (do slow work after answering); "
                                          "anything else, or no answer, is retried with backoff for about a day.",
            "tags": ["webhook_endpoints"],
            "security": [],
            "parameters": _HEADERS,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{component}"}}}},
            "responses": {"2XX": {"description": "Received: not sent again."},
                          "default": {"description": "Not received: retried later, with the same `webhook-id`."}},
        }}
    return hooks
