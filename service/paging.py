"""Keyset cursors ("strictly older than this (created_at, id)") and RFC 3339 times.

A cursor is `<microseconds since the epoch>.<id>`: clients treat it as opaque,
but its format is a pattern in the OpenAPI document, and every string matching
that pattern names a position, so no well-formed cursor is ever refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Sequence

from sqlalchemy import and_, or_

from service.errors import InvalidInput, field_error
from service.ids import (AUDIT_EVENT_ID, RECOMMENDATION_ID, SHARE_LINK_ID, STORED_WEIGHT_PROFILE_ID,
                         WEBHOOK_DELIVERY_ID, WEBHOOK_ENDPOINT_ID)

VERSION_CURSOR = r"^v[0-9]{1,7}$"  # versions strictly below this one; every such string is a position
_ID_PATTERNS = {"rec_": RECOMMENDATION_ID, "wp_": STORED_WEIGHT_PROFILE_ID, "aud_": AUDIT_EVENT_ID,
                "whe_": WEBHOOK_ENDPOINT_ID, "whd_": WEBHOOK_DELIVERY_ID, "shl_": SHARE_LINK_ID}

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def cursor_pattern(prefix: str) -> str:
    """The pattern of a cursor over objects whose ids start with `prefix` (16 digits reach the year 2286)."""
    return rf"^[0-9]{{1,16}}\.{_ID_PATTERNS[prefix]}$"


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def encode_position(created_at: dt.datetime, object_id: str) -> str:
    return f"{(created_at.astimezone(dt.timezone.utc) - _EPOCH) // _MICROSECOND}.{object_id}"


def decode_position(cursor: str, prefix: str) -> tuple[dt.datetime, str]:
    """The (created_at, id) a cursor over `prefix` ids names; a 422 naming `cursor` when it is not one."""
    if not re.fullmatch(cursor_pattern(prefix)[1:-1], cursor):
        raise invalid_cursor()
    micros, _, object_id = cursor.partition(".")
    return _EPOCH + int(micros) * _MICROSECOND, object_id


def invalid_cursor() -> InvalidInput:
    return InvalidInput("The cursor is not valid.", errors=[
        field_error("/cursor", "invalid_format", "Use next_cursor from a previous page unchanged.", parameter="cursor")
    ])


def older_than(at_column, id_column, at: dt.datetime, object_id: str):
    """The keyset condition "strictly older than (at, id)", newest first by (time, id)."""
    return or_(at_column < at, and_(at_column == at, id_column < object_id))


def newest_first(statement, at_column, id_column, cursor: str | None, prefix: str, limit: int):
    """`statement` newest first, past `cursor` (a cursor over `prefix` ids), with one row more than `limit`:
    that row, when it comes, says there is a next page."""
    if cursor:
        statement = statement.where(older_than(at_column, id_column, *decode_position(cursor, prefix)))
    return statement.order_by(at_column.desc(), id_column.desc()).limit(limit + 1)


def split_page(rows: Sequence, limit: int, position: Callable) -> tuple[Sequence, str | None]:
    """The page's rows of what `newest_first` read, and the cursor after them (None on the last page);
    `position(row)` gives a row's (time, id)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_position(*position(rows[-1]))
