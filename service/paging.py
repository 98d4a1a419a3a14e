"""Opaque keyset cursors ("strictly older than this (created_at, id)") and RFC 3339 times."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from service.errors import InvalidInput, field_error


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def encode_position(created_at: dt.datetime, object_id: str) -> str:
    raw = f"{rfc3339(created_at)}|{object_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str, prefix: str) -> tuple[dt.datetime, str]:
    """The (created_at, id) a cursor names; a 422 naming `cursor` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, object_id = raw.partition("|")
        created_at = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if not object_id.startswith(prefix) or created_at.tzinfo is None:
            raise ValueError(raw)
        created_at = created_at.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput(
            "The cursor is not valid.",
            errors=[
                field_error(
                    "/cursor", "invalid_format", "Use next_cursor from a previous page unchanged.", parameter="cursor"
                )
            ],
        ) from None
    return created_at, object_id
