"""JSON text of documents: orjson's speed, the standard library's exact bytes.

Every stored answer keeps the exact text first returned, so the encoder must
never change a byte. orjson writes what `json.dumps(..., ensure_ascii=False,
separators=(",", ":"))` writes for every string, integer, dict and list, and for
every float but the tiny ones, under 1e-4 (orjson: 0.00001 or 1e-7, Python:
1e-05 and 1e-07). orjson writes each of those with four zeros after the point
or with a negative exponent, so a text holding `0.0000`, or `e-` between two
digits, is encoded again by the standard library (a string that happens to
hold one only costs the slow path). A value orjson refuses (an integer past
64 bits, a key that is not a string, a date or a dataclass, which it is told
to hand back) takes the standard library too, which writes or refuses it as
it always did. NaN and
infinities, which the standard library refuses and orjson writes as null, never
reach a document: the schemas and the engine keep every number finite.
tests/unit/test_json_text.py checks both encoders against each other.
"""

from __future__ import annotations

import json

import orjson

_DIGITS = frozenset(b"0123456789")
# What orjson would write but the standard library refuses or writes otherwise (dates, dataclasses) is
# handed back, so the standard library decides; so are subclasses of str, int, dict and list.
_AS_THE_STANDARD_LIBRARY = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                            | orjson.OPT_PASSTHROUGH_SUBCLASS)


def standard(document) -> str:
    """The reference encoding: compact, UTF-8 text as is, NaN and infinities refused."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_json_bytes(document) -> bytes:
    """`standard(document)` as UTF-8 bytes, mostly from orjson."""
    try:
        encoded = orjson.dumps(document, option=_AS_THE_STANDARD_LIBRARY)
    except TypeError:  # orjson.JSONEncodeError: an integer past 64 bits, a key that is not a string
        return standard(document).encode()
    if _maybe_different(encoded):
        return standard(document).encode()
    return encoded


def _maybe_different(encoded: bytes) -> bool:
    """Whether orjson may have written a float otherwise than Python (a few finds: no regex, which would
    cost more than the encoding)."""
    if b"0.0000" in encoded:
        return True
    at = encoded.find(b"e-")
    while at > 0:
        if encoded[at - 1] in _DIGITS and encoded[at + 2:at + 3].isdigit():
            return True
        at = encoded.find(b"e-", at + 2)
    return False


def to_json(document) -> str:
    """`standard(document)`, mostly from orjson."""
    return to_json_bytes(document).decode()
