"""Webhook endpoints, their deliveries, and the events they receive (the 3.1 `webhooks` section)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from schemas.fields import (List, StrictSchema, String, coded, cursor, enum_string, item_count, length, page_limit,
                            page_of, unique_items)
from schemas.recommendation import RecommendationSchema
from schemas.weight_profile import WeightProfileSchema
from service.paging import cursor_pattern
from service.webhooks import EVENT_TYPES, TEST_EVENT

DELIVERY_STATUSES = ("pending", "succeeded", "failed")
URL_MAX = 2048
_URL_RULE = ("Where events are POSTed. In production: `https://` and a host that resolves only to public "
             "addresses (checked when saved and again, after DNS resolution, before every attempt). In "
             "development, plain `http://` is allowed to loopback hosts (`127.0.0.1`, `localhost`) for local "
             "testing. No user name or password in it (put a token in the path or query if your receiver "
             "wants one).")


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else (not 0 or 1, which Python counts as equal to them)."""

    default_error_messages = {"invalid": coded("invalid_type", "Expected true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _event_types(**kwargs):
    metadata = {"uniqueItems": True, **kwargs.pop("metadata", {})}
    return List(enum_string(EVENT_TYPES), validate=[item_count(1, len(EVENT_TYPES)), unique_items],
                metadata=metadata, **kwargs)


def _url(**kwargs):
    return String(validate=[length(1, URL_MAX),
                            validate.Regexp(r"^https?://[^\s]+$", error=coded("invalid_format",
                                                                               "Give an https:// URL."))],
                  metadata={"description": _URL_RULE}, **kwargs)


class WebhookEndpointCreateSchema(StrictSchema):
    url = _url(required=True)
    event_types = _event_types(required=True, metadata={"description": "The events to send here, at least one."})
    description = String(validate=length(0, 500), metadata={"description": "Your note on what this endpoint is "
                                                                           "for; left out: empty."})


class WebhookEndpointUpdateSchema(StrictSchema):
    """What to change; fields left out stay as they are."""

    OPENAPI_EXTRA = {"minProperties": 1}

    url = _url()
    event_types = _event_types()
    description = String(validate=length(0, 500))
    enabled = StrictBoolean(metadata={"description": "false stops deliveries (pending ones fail with the reason); "
                                                     "true starts them again and clears `disabled_reason`."})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError(coded("required", "Give at least one of url, event_types, description, enabled."))


class WebhookEndpointSchema(Schema):
    id = fields.String(required=True, metadata={"description": "`whe_` followed by an opaque string."})
    url = fields.String(required=True)
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True)
    description = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True, allow_none=True, metadata={
        "description": "Why deliveries stopped: disabled through the API, or after failing for days."})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})


class WebhookEndpointWithSecretSchema(WebhookEndpointSchema):
    secret = fields.String(required=True, metadata={
        "description": "The signing secret (`whsec_` + base64), shown only in this answer: store it now. "
                       "Verify deliveries with it using a Standard Webhooks library."})


WebhookEndpointPageSchema = page_of("WebhookEndpointPageSchema", WebhookEndpointSchema,
                                    "One page of webhook endpoints, newest first.")


class EndpointPageQuerySchema(StrictSchema):
    limit = page_limit()
    cursor = cursor(cursor_pattern("whe_"))


class DeliveryPageQuerySchema(StrictSchema):
    limit = page_limit()
    cursor = cursor(cursor_pattern("whd_"))
    status = enum_string(DELIVERY_STATUSES, metadata={"description": "Only deliveries in this state."})


class WebhookAttemptSchema(Schema):
    number = fields.Integer(required=True)
    attempted_at = fields.String(required=True, metadata={"format": "date-time"})
    duration_ms = fields.Integer(required=True)
    status_code = fields.Integer(required=True, allow_none=True, metadata={
        "description": "What the receiver answered (null when nothing was: refused target, timeout, no "
                       "connection)."})
    error = fields.String(required=True, allow_none=True)


class WebhookDeliverySchema(Schema):
    id = fields.String(required=True, metadata={"description": "`whd_` followed by an opaque string."})
    event_id = fields.String(required=True, metadata={
        "description": "The `webhook-id` the receiver sees: the same on every attempt and every re-send of the "
                       "event, so receivers drop repeats by it."})
    event_type = fields.String(required=True)
    endpoint_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempt_count = fields.Integer(required=True)
    next_attempt_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    last_status_code = fields.Integer(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    attempts = fields.List(fields.Nested(WebhookAttemptSchema), required=True)


WebhookDeliveryPageSchema = page_of("WebhookDeliveryPageSchema", WebhookDeliverySchema,
                                    "One page of an endpoint's deliveries, newest first.")


# What receivers get: the bodies of the document's `webhooks` section.
class _EventSchema(Schema):
    timestamp = fields.String(required=True, metadata={"format": "date-time",
                                                       "description": "When the change happened."})


class RecommendationCreatedEventSchema(_EventSchema):
    type = fields.String(required=True, metadata={"const": "recommendation.created"})
    data = fields.Nested(RecommendationSchema, required=True, metadata={
        "description": "The stored recommendation, exactly as GET /v1/recommendations/{id} returns it."})


class DeletedRecommendationSchema(Schema):
    id = fields.String(required=True)


class RecommendationDeletedEventSchema(_EventSchema):
    type = fields.String(required=True, metadata={"const": "recommendation.deleted"})
    data = fields.Nested(DeletedRecommendationSchema, required=True, metadata={
        "description": "Only the id: the answer itself is gone, with every queued event that carried it."})


class WeightProfileVersionCreatedEventSchema(_EventSchema):
    type = fields.String(required=True, metadata={"const": "weight_profile.version_created"})
    data = fields.Nested(WeightProfileSchema, required=True, metadata={
        "description": "The new version, as GET /v1/weight-profiles/{id}/versions/{version} returns it."})


class TestEventDataSchema(Schema):
    endpoint_id = fields.String(required=True)
    message = fields.String(required=True)


class TestEventSchema(_EventSchema):
    type = fields.String(required=True, metadata={"const": TEST_EVENT})
    data = fields.Nested(TestEventDataSchema, required=True)
