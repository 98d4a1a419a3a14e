"""The audit log as the API shows it: an event, a page of them, the list query."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.fields import DateTime, StrictSchema, String, cursor, enum_string, page_limit, page_of, text
from service.audit.log import ACTIONS
from service.paging import cursor_pattern

ACTOR_TYPES = ("api_key", "command_line")


class AuditActorSchema(Schema):
    type = fields.String(required=True, metadata={"enum": list(ACTOR_TYPES), "description": "`api_key`: a call "
                                                  "with an API key; `command_line`: an operator's `flask` command "
                                                  "(keys are made and revoked there)."})
    key_id = fields.String(required=True, allow_none=True, metadata={
        "description": "The key that made the call (its id, never the key); null for the command line."})


class AuditSubjectSchema(Schema):
    type = fields.String(required=True, metadata={
        "description": "What kind of object: recommendation, weight_profile, api_key, webhook_endpoint or "
                       "share_link."})
    id = fields.String(required=True, allow_none=True, metadata={"description": "Its id."})


class AuditEventSchema(Schema):
    """Who did what to which object, and when."""

    id = fields.String(required=True, metadata={"description": "`aud_` followed by an opaque string."})
    occurred_at = fields.String(required=True, metadata={"format": "date-time", "description": "RFC 3339, UTC."})
    actor = fields.Nested(AuditActorSchema, required=True)
    action = fields.String(required=True, metadata={"enum": list(ACTIONS),
                                                    "description": "`<object>.<what happened>`."})
    subject = fields.Nested(AuditSubjectSchema, required=True)
    details = fields.Dict(required=True, metadata={
        "description": "What else the action tells (such as a share link's recommendation and expiry, or a new "
                       "key's scopes); an empty object when nothing. Never a secret."})


AuditEventPageSchema = page_of("AuditEventPageSchema", AuditEventSchema, "One page of audit events, newest first.")


class AuditEventListQuerySchema(StrictSchema):
    """Paging and filters of the audit log; filters combine with AND."""

    limit = page_limit()
    cursor = cursor(cursor_pattern("aud_"))
    action = enum_string(ACTIONS, metadata={"description": "Only events of this action."})
    key_id = String(validate=text(1, 40), metadata={"description": "Only what this key did (its id, `key_...`)."})
    subject_id = String(validate=text(1, 128), metadata={"description": "Only events about this object (its id)."})
    occurred_after = DateTime(
        metadata={"description": "Only events strictly after (RFC 3339; no zone means UTC; send + as %2B)."})
    occurred_before = DateTime(
        metadata={"description": "Only events strictly before (RFC 3339; no zone means UTC; send + as %2B)."})
