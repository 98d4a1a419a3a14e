"""Golden digest: every field of every benchmark profile's document, to the last bit, stays what it was.

The engine keeps tables of what a weight profile makes of each value and works counterfactuals out
incrementally; none of that may change an answer. This test hashes the documents of every profile of
`benchmarks.engine.profiles()` under the default weights (model 2) and the built-in model 1 weights, and compares the digest with
the one the engine gave before those speed-ups.

When an answer is MEANT to change (new wording, a new field, a model change), regenerate the digest with

    .venv/bin/python -c "from tests.unit.test_answers_unchanged import digest; print(digest())"

and paste it below, saying in the commit why the answers changed.
"""

from __future__ import annotations

import dataclasses
import hashlib

from benchmarks.engine import profiles
from service.engine import DEFAULT_WEIGHT_PROFILE
from service.engine.weights import MODEL_V1
from service.recommendations import document_fields, to_json

# Computed before the engine kept its per-weight-profile tables (see the module docstring to regenerate).
GOLDEN = "sha256:7902e68a89ba65ecbc75799f4ba3da23d7debaef6adf93045e081dc36818b84d"


def plain(value):
    """`value` as data json can write: a dataclass as a dict of its fields in field order, a tuple as a list."""
    if dataclasses.is_dataclass(value):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def digest() -> str:
    """SHA-256 over the concatenated JSON documents of every benchmark profile, under the default weights (model 2) then model 1."""
    hashed = hashlib.sha256()
    for weights in (DEFAULT_WEIGHT_PROFILE, MODEL_V1):
        for profile in profiles():
            hashed.update(to_json(plain(document_fields(profile, weights))).encode("utf-8"))
    return "sha256:" + hashed.hexdigest()


def test_every_benchmark_answer_is_unchanged():
    assert digest() == GOLDEN
