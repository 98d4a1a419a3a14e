"""Prefixed, opaque, time-ordered identifiers such as rec_01jd3m6k7q8r9s0t1v2w3x4y5z."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
RECOMMENDATION_ID = r"rec_[0-9a-z]{26}"
STORED_WEIGHT_PROFILE_ID = r"wp_[0-9a-z]{26}"
WEIGHT_PROFILE_ID = r"wp_(?:[0-9a-z]{26}|default)"
AUDIT_EVENT_ID = r"aud_[0-9a-z]{26}"
WEBHOOK_ENDPOINT_ID = r"whe_[0-9a-z]{26}"
WEBHOOK_DELIVERY_ID = r"whd_[0-9a-z]{26}"
WEBHOOK_EVENT_ID = r"msg_[0-9a-z]{26}"
SHARE_LINK_ID = r"shl_[0-9a-z]{26}"


def new_id(prefix: str) -> str:
    """48 bits of milliseconds then 80 random bits, as 26 base32 characters."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return f"{prefix}_{''.join(reversed(chars))}"
