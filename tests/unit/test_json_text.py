"""service.json_text: orjson's output, or else the standard library's, always the standard library's bytes."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.json_text import _maybe_different, standard, to_json, to_json_bytes

floats = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), floats,
                    st.text(st.characters(blacklist_categories=("Cs",))))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=5)),
                      max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(values)
def test_any_json_value_is_encoded_exactly_as_the_standard_library_does(value):
    assert to_json(value) == standard(value)
    assert to_json_bytes(value) == standard(value).encode()


@settings(max_examples=300, deadline=None)
@given(floats)
def test_every_float_alone_in_a_list_or_under_a_key(number):
    for value in (number, [number], [1, number], {"x": number}):
        assert to_json(value) == standard(value)


@pytest.mark.parametrize("value, written_by_orjson", [
    ([1e-05], b"[0.00001]"),  # Python: 1e-05
    ({"a": 1.192092896e-07}, b'{"a":1.192092896e-7}'),  # Python: 1.192092896e-07
    ([-2.5e-7], b"[-2.5e-7]"),  # Python: -2.5e-07
])
def test_the_floats_orjson_writes_otherwise_are_found_and_encoded_again(value, written_by_orjson):
    import orjson

    assert orjson.dumps(value) == written_by_orjson != standard(value).encode()
    assert _maybe_different(written_by_orjson)
    assert to_json(value) == standard(value)


@pytest.mark.parametrize("value", [2 ** 70, {1: "a"}, {"n": -(2 ** 64)}])
def test_what_orjson_refuses_is_encoded_by_the_standard_library(value):
    assert to_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_plain_documents_take_the_fast_path_and_text_is_never_escaped():
    document = {"id": "rec_01m8hb1e15cfad1tkz0p39eq1g", "scores": [0.0001, 0.25, 1.0], "name": "Zoë \u2028 ✓",
                "n": 12, "ok": True, "none": None}
    assert not _maybe_different(to_json_bytes(document))
    assert to_json(document) == standard(document)


def test_nan_is_refused_by_the_reference():
    with pytest.raises(ValueError):
        standard([float("nan")])
