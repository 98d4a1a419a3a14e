"""Share links: the body that makes one, a link as the API shows it, a page of them."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.fields import Integer, StrictSchema, between, cursor, page_limit, page_of
from service.paging import cursor_pattern
from service.sharing.links import DEFAULT_DAYS, MAX_DAYS


class ShareLinkCreateSchema(StrictSchema):
    """How long the new link works; an empty body (or `{}`) takes the default."""

    expires_in_days = Integer(allow_none=True, validate=between(1, MAX_DAYS), metadata={
        "description": f"Days until the link stops working, 1 to {MAX_DAYS}; left out or null: the default, "
                       f"{DEFAULT_DAYS}."})


_TIME = {"format": "date-time"}


class ShareLinkSchema(Schema):
    """A share link as its owner sees it: never its token, which only the answer that made it shows."""

    id = fields.String(required=True, metadata={"description": "`shl_` followed by an opaque string."})
    recommendation_id = fields.String(required=True, metadata={"description": "The recommendation it opens."})
    created_at = fields.String(required=True, metadata={**_TIME, "description": "RFC 3339, UTC."})
    expires_at = fields.String(required=True, metadata={**_TIME, "description": "When it stops working (RFC 3339, "
                                                                                "UTC)."})
    revoked_at = fields.String(required=True, allow_none=True, metadata={
        **_TIME, "description": "When it was revoked (RFC 3339, UTC); null while it is not."})


class NewShareLinkSchema(ShareLinkSchema):
    """A new share link, with its address: shown this once, never again."""

    url = fields.String(required=True, metadata={
        "format": "uri", "description": "The link to hand out: anyone who has it can read the recommendation's "
                                        "page, without a key, until it expires or is revoked. Shown only in this "
                                        "answer; hiremix keeps only a hash of it."})

    class Meta:
        fields = ("id", "recommendation_id", "url", "created_at", "expires_at", "revoked_at")


ShareLinkPageSchema = page_of("ShareLinkPageSchema", ShareLinkSchema,
                              "One page of a recommendation's share links, newest first.")


class ShareLinkListQuerySchema(StrictSchema):
    limit = page_limit()
    cursor = cursor(cursor_pattern("shl_"))
