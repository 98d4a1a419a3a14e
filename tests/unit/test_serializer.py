"""schemas.serializer.compile_dump gives exactly what Schema.dump gives: same values, same types, same JSON bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import uuid
from collections import OrderedDict
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump, pre_dump

from benchmarks.engine import profiles as benchmark_profiles
from schemas.fields import Integer as StrictInteger
from schemas.fields import List as CodedList
from schemas.fields import Metadata
from schemas.fields import String as CodedString
from schemas.recommendation import RecommendationPreviewSchema, RecommendationSchema
from schemas.serializer import NotCompilable, compile_dump
from service.engine import DEFAULT_WEIGHT_PROFILE
from service.engine.weights import MODEL_V1, derive
from service.recommendations import document_fields, to_json
from tests.strategies import as_payload, profiles

PREVIEW = RecommendationPreviewSchema()
STORED = RecommendationSchema()
COMPILED_PREVIEW = compile_dump(PREVIEW)
COMPILED_STORED = compile_dump(STORED)

# Weight profiles whose weights are ints: a Float field must still dump 2.0, not 2.
INTEGER_WEIGHTS = [
    derive(DEFAULT_WEIGHT_PROFILE, id="wp_ints", version=3, weights={"priorities": 2, "stage": 1}),
    derive(MODEL_V1, id="wp_ints_v1", version=4, weights={"priorities": 2, "team_size": 1}, lower=0.3, upper=0.7),
]


def encoded(document) -> str:
    """The bytes the app stores and serves (service.recommendations.to_json)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def same_shape(left, right, path="$") -> None:
    """Equal values of the very same types everywhere (1 is not 1.0, a tuple is not a list), keys in the same order."""
    assert type(left) is type(right), (path, left, right)
    if isinstance(left, dict):
        assert list(left) == list(right), (path, list(left), list(right))
        for key in left:
            same_shape(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, (list, tuple)):
        assert len(left) == len(right), path
        for index, (a, b) in enumerate(zip(left, right)):
            same_shape(a, b, f"{path}[{index}]")
    else:
        assert left == right, (path, left, right)


def assert_identical(schema: Schema, compiled, obj, **kwargs) -> None:
    expected = schema.dump(obj, **kwargs)
    actual = compiled(obj, **kwargs)
    assert actual == expected
    same_shape(actual, expected)
    assert encoded(actual) == encoded(expected)


def assert_documents_identical(fields_of_document: dict) -> None:
    """Both schemas: equal, with the same repr (which tells 1 from 1.0 and True, a tuple from a list, and shows key
    order: a fast same_shape) and the same JSON text."""
    expected = PREVIEW.dump(fields_of_document)
    actual = COMPILED_PREVIEW(fields_of_document)
    assert actual == expected
    assert repr(actual) == repr(expected)
    assert encoded(actual) == encoded(expected) == to_json(expected)
    stored = {"id": "rec_01JZ8K2M3N4P5Q6R7S8T9V0W1X", "created_at": "2026-11-03T09:15:27.123456Z", **fields_of_document}
    expected = STORED.dump(stored)
    actual = COMPILED_STORED(stored)
    assert list(actual)[:2] == ["id", "created_at"]
    assert actual == expected
    assert repr(actual) == repr(expected)
    assert encoded(actual) == encoded(expected)


# The recommendation documents, over the whole input space.

metadata_keys = st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True)
metadata = st.one_of(st.none(), st.just({}), st.dictionaries(metadata_keys, st.text(max_size=30), max_size=5))
external_ids = st.one_of(st.none(), st.text(min_size=1, max_size=128))


@settings(max_examples=300, deadline=None)
@given(profiles, external_ids, metadata, st.sampled_from(INTEGER_WEIGHTS))
def test_every_profile_dumps_identically_under_model_2_model_1_and_integer_weights(profile, external_id, meta,
                                                                                   integer_weights):
    payload = as_payload(profile)
    if external_id is not None:
        payload["external_id"] = external_id
    if meta is not None:
        payload["metadata"] = meta
    for weights in (DEFAULT_WEIGHT_PROFILE, MODEL_V1, integer_weights):
        assert_documents_identical(document_fields(payload, weights))


def test_every_benchmark_profile_dumps_identically():
    payloads = list(benchmark_profiles())
    assert len(payloads) > 100
    for index, payload in enumerate(payloads):
        if index % 3 == 1:
            payload = {**payload, "company_name": "Ærø Søftware", "external_id": f"REQ-{index}",
                       "metadata": {"team": "platform", "region": "emea"}}
        for weights in (DEFAULT_WEIGHT_PROFILE, MODEL_V1):
            assert_documents_identical(document_fields(payload, weights))


def test_model_1_and_2_documents_differ_in_the_fields_the_hooks_drop():
    """The post_dump hooks of the schemas act on these documents (so the sweep above exercises them)."""
    payload = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas",
               "priorities": ["ship_fast", "growth"], "planned_hires": 4}
    model_2 = COMPILED_PREVIEW(document_fields(payload, DEFAULT_WEIGHT_PROFILE))
    model_1 = COMPILED_PREVIEW(document_fields(payload, MODEL_V1))
    assert all("scorecard" in role and "hires" in role for role in model_2["role_profiles"])
    assert all("scorecard" not in role and "hires" not in role for role in model_1["role_profiles"])
    assert [factor["factor"] for factor in model_2["factors"] if "parts" in factor] == ["priorities"]
    assert "interactions" in model_2 and "interactions" not in model_1


def test_the_recommendation_schemas_compile_without_falling_back():
    """Only FactorValue, which defines its own _serialize, is called as marshmallow would call it."""
    for schema in (RecommendationPreviewSchema(), RecommendationSchema()):
        compiled = compile_dump(schema, strict=True)
        assert compiled.fallbacks == ()
        assert compiled.custom and all("FactorValue defines its own _serialize" in text for text in compiled.custom)


# The compiler, on small schemas.

class Inner(Schema):
    name = fields.String()
    size = fields.Integer()


@dataclasses.dataclass
class Thing:
    name: str
    size: int


def check(schema: Schema, obj, expected, **kwargs):
    """The compiled dump gives `expected`, and so does marshmallow."""
    compiled = compile_dump(schema)
    actual = compiled(obj, **kwargs)
    assert actual == expected
    same_shape(actual, expected)
    assert_identical(schema, compiled, obj, **kwargs)
    return compiled


def test_data_key_attribute_and_declared_order():
    class Keys(Schema):
        b = fields.String(data_key="B")
        a = fields.Integer(attribute="a_source")
        from_ = fields.Raw(attribute="from_", data_key="from")
        nested = fields.String(attribute="deep.inside")

    check(Keys(), {"b": "x", "a_source": 3, "a": 99, "from_": None, "deep": {"inside": "found"}},
          {"B": "x", "a": 3, "from": None, "nested": "found"})


def test_only_exclude_load_only_dump_only_and_meta_fields():
    class Many(Schema):
        a = fields.String()
        b = fields.String(load_only=True)
        c = fields.String(dump_only=True)
        d = fields.String()

        class Meta:
            fields = ("d", "c", "b", "a")

    obj = {"a": "1", "b": "2", "c": "3", "d": "4"}
    check(Many(), obj, {"d": "4", "c": "3", "a": "1"})
    check(Many(only=("a", "b", "c")), obj, {"a": "1", "c": "3"})  # in the order of `only`
    check(Many(exclude=("c",)), obj, {"d": "4", "a": "1"})
    check(Many(load_only=("d",)), obj, {"c": "3", "a": "1"})


def test_missing_values_are_left_out_or_take_dump_default():
    calls = []

    def three():
        calls.append(3)
        return 3

    class Defaults(Schema):
        plain = fields.String()
        fixed = fields.Integer(dump_default=7)
        computed = fields.Float(dump_default=three)
        gone = fields.Raw(dump_default=lambda: fields.missing_)

    compiled = check(Defaults(), {}, {"fixed": 7, "computed": 3.0})
    calls.clear()
    compiled({})
    assert calls == [3]  # called on every dump, as marshmallow calls it
    assert compiled({"plain": "p", "fixed": 1, "computed": 2, "gone": 3}) == {"plain": "p", "fixed": 1,
                                                                                "computed": 2.0, "gone": 3}
    # a value that is marshmallow's own `missing` counts as missing
    check(Defaults(), {"plain": fields.missing_, "fixed": fields.missing_}, {"fixed": 7, "computed": 3.0})
    check(Defaults(), Thing("n", 1), {"fixed": 7, "computed": 3.0})


def test_a_dict_lacking_a_key_named_like_a_dict_method_gives_what_marshmallow_gives():
    class DictNames(Schema):
        items = fields.String()
        values = fields.String()
        copy = fields.String()

    obj = {"copy": "kept"}
    compiled = check(DictNames(), obj, {"items": str(obj.items), "values": str(obj.values), "copy": "kept"})
    assert compiled({"items": "mine", "values": 1, "copy": "c"}) == {"items": "mine", "values": "1", "copy": "c"}


def test_none_values_per_field_type():
    class Nones(Schema):
        text = fields.String(allow_none=True)
        count = fields.Integer(allow_none=True)
        share = fields.Float(allow_none=True)
        flag = fields.Boolean(allow_none=True)
        inner = fields.Nested(Inner, allow_none=True)
        inners = fields.Nested(Inner, many=True, allow_none=True)
        names = fields.List(fields.String(), allow_none=True)
        maybe_names = fields.List(fields.String(allow_none=True))
        objects = fields.List(fields.Nested(Inner, allow_none=True))
        pair = fields.Tuple((fields.String(), fields.Integer()), allow_none=True)
        mapping = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)
        pluck = fields.Pluck(Inner, "name", allow_none=True)

    obj = {**dict.fromkeys(Nones._declared_fields), "maybe_names": ["a", None], "objects": [None, {"name": "n"}]}
    check(Nones(), obj, obj)


def test_numbers_and_text_convert_as_marshmallow_converts_them():
    class Numbers(Schema):
        share = fields.Float()
        count = fields.Integer()
        strict = StrictInteger()
        flag_count = fields.Integer()
        share_text = fields.Float(as_string=True)
        count_text = fields.Integer(as_string=True)
        text = fields.String()
        raw_bytes = fields.String()
        coded = CodedString()
        money = fields.Decimal(places=2, as_string=True)

    obj = {"share": 1, "count": 2.9, "strict": True, "flag_count": False, "share_text": 3, "count_text": 4.5,
           "text": 5, "raw_bytes": "é".encode(), "coded": "c", "money": "1.005"}
    compiled = check(Numbers(), obj, {"share": 1.0, "count": 2, "strict": 1, "flag_count": 0, "share_text": "3.0",
                                      "count_text": "4", "text": "5", "raw_bytes": "é", "coded": "c",
                                      "money": "1.00"})
    assert encoded(compiled(obj)).startswith('{"share":1.0,"count":2,"strict":1,')
    assert any("Decimal defines its own _serialize" in text for text in compiled.custom)


def test_nested_one_and_many_lists_pluck_and_top_level_many():
    class Outer(Schema):
        one = fields.Nested(Inner)
        many = fields.Nested(Inner, many=True)
        listed = fields.List(fields.Nested(Inner))
        listed_many = fields.List(fields.Nested(Inner(many=True)))
        only = fields.Nested(Inner, only=("size",))
        excluded = fields.List(fields.Nested(Inner, exclude=("size",)))
        plucked = fields.Pluck(Inner, "name")
        plucked_many = fields.Pluck(Inner, "size", many=True)

    things = (Thing("a", 1), Thing("b", 2))
    obj = {"one": Thing("x", 9), "many": things, "listed": list(things), "listed_many": [things, []],
           "only": {"name": "hidden", "size": 5}, "excluded": things, "plucked": Thing("p", 0),
           "plucked_many": things}
    expected = {"one": {"name": "x", "size": 9}, "many": [{"name": "a", "size": 1}, {"name": "b", "size": 2}],
                "listed": [{"name": "a", "size": 1}, {"name": "b", "size": 2}],
                "listed_many": [[{"name": "a", "size": 1}, {"name": "b", "size": 2}], []],
                "only": {"size": 5}, "excluded": [{"name": "a"}, {"name": "b"}], "plucked": "p",
                "plucked_many": [1, 2]}
    compiled = check(Outer(), obj, expected)
    assert compiled([obj, {"one": None}], many=True) == [expected, {"one": None}]
    assert_identical(Outer(), compiled, [obj, {"one": None}], many=True)
    assert_identical(Outer(many=True), compile_dump(Outer(many=True)), (obj,))
    assert compile_dump(Outer(many=True))((obj,)) == [expected]


def test_tuple_dict_enum_constant_method_function_uuid_datetime_and_coded_fields():
    class Colour(enum.Enum):
        RED = "r"
        BLUE = 2

    class Everything(Schema):
        pair = fields.Tuple((fields.String(), fields.Float()))
        plain_dict = fields.Dict()
        typed_dict = fields.Dict(keys=fields.String(), values=fields.Integer())
        nested_dict = fields.Dict(values=fields.Nested(Inner))
        by_name = fields.Enum(Colour)
        by_value = fields.Enum(Colour, by_value=True)
        by_value_text = fields.Enum(Colour, by_value=fields.String())
        constant = fields.Constant(42)
        method = fields.Method("twice")
        no_method = fields.Method(deserialize="twice")
        function = fields.Function(lambda obj: obj["pair"][0] * 2)
        ident = fields.UUID()
        when = fields.DateTime()
        flags = fields.List(fields.Boolean())
        coded = CodedList(CodedString())
        meta = Metadata()
        raw = fields.Raw()

        def twice(self, obj):
            return obj["typed_dict"]["a"] * 2

    obj = {"pair": ("x", 1), "plain_dict": OrderedDict(b=1, a=2), "typed_dict": {"a": 1.5, 3: 2},
           "nested_dict": {"k": Thing("n", 1)}, "by_name": Colour.BLUE, "by_value": Colour.BLUE,
           "by_value_text": Colour.BLUE, "constant": "ignored", "ident": uuid.UUID(int=1),
           "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "flags": (True, 0),
           "coded": ("a", 1), "meta": {"z": "1", "a": "2"}, "raw": {"any": [1, 2.0]}}
    expected = {"pair": ("x", 1.0), "plain_dict": {"b": 1, "a": 2}, "typed_dict": {"a": 1, "3": 2},
                "nested_dict": {"k": {"name": "n", "size": 1}}, "by_name": "BLUE", "by_value": 2,
                "by_value_text": "2", "constant": 42, "method": 3.0, "function": "xx",
                "ident": "00000000-0000-0000-0000-000000000001", "when": "2026-01-02T03:04:05+00:00",
                "flags": [True, 0], "coded": ["a", "1"], "meta": {"z": "1", "a": "2"}, "raw": {"any": [1, 2.0]}}
    check(Everything(), obj, expected)


def test_objects_of_every_kind_are_read_as_get_value_reads_them():
    class Named(tuple):
        name = "from attribute"
        size = 3

    class Item(Schema):
        name = fields.String()
        size = fields.Integer()

    schema, compiled = Item(), compile_dump(Item())
    for obj in (Thing("dataclass", 1), OrderedDict(name="ordered", size=2), Named(("a", "b")), {"name": "plain"},
                object(), None, Thing):
        assert_identical(schema, compiled, obj)
    assert compiled(Named(("a", "b"))) == {"name": "from attribute", "size": 3}
    assert compiled(None) == {}


class SelfNested(Schema):
    label = fields.String()
    children = fields.List(fields.Nested("SelfNested"))


def test_a_schema_nested_in_itself_is_compiled_level_by_level():
    tree = {"label": "root", "children": [{"label": "a", "children": [{"label": "b", "children": []}]}, {}]}
    check(SelfNested(), tree, {"label": "root", "children": [
        {"label": "a", "children": [{"label": "b", "children": []}]}, {}]})


# Hooks.

class Hooked(Schema):
    name = fields.String()
    calls: ClassVar[list] = []

    @pre_dump
    def _upper(self, obj, many, **kwargs):
        self.calls.append(("pre", many))
        return {**obj, "name": obj["name"].upper()}

    @post_dump
    def _mark(self, data, many, **kwargs):
        self.calls.append(("post", many))
        return {**data, "marked": True}

    @post_dump(pass_collection=True)
    def _envelope(self, data, many, **kwargs):
        self.calls.append(("envelope", many))
        return {"items": data} if many else data

    @post_dump(pass_original=True)
    def _original(self, data, original, many, **kwargs):
        return {**data, "original": original["name"]}


def test_hooks_run_as_schema_dump_runs_them_one_and_many():
    objs = [{"name": "a"}, {"name": "b"}]
    Hooked.calls.clear()
    expected_many = Hooked().dump(objs, many=True)
    marshmallow_calls = list(Hooked.calls)
    Hooked.calls.clear()
    compiled = compile_dump(Hooked())
    assert compiled(objs, many=True) == expected_many == {"items": [
        {"name": "A", "marked": True, "original": "a"}, {"name": "B", "marked": True, "original": "b"}]}
    assert Hooked.calls == marshmallow_calls == [("pre", True), ("pre", True), ("post", True), ("post", True),
                                                 ("envelope", True)]
    check(Hooked(), {"name": "c"}, {"name": "C", "marked": True, "original": "c"})


def test_hooks_of_nested_schemas_run_per_nesting():
    class Parent(Schema):
        child = fields.Nested(Hooked)
        children = fields.Nested(Hooked, many=True)
        listed = fields.List(fields.Nested(Hooked))

    objs = [{"name": "x"}]
    check(Parent(), {"child": {"name": "c"}, "children": objs, "listed": objs},
          {"child": {"name": "C", "marked": True, "original": "c"},
           "children": {"items": [{"name": "X", "marked": True, "original": "x"}]},
           "listed": [{"name": "X", "marked": True, "original": "x"}]})


# What cannot be specialised falls back to marshmallow, and strict refuses it.

class Shouting(fields.String):
    def serialize(self, attr, obj, accessor=None, **kwargs):
        return super().serialize(attr, obj, accessor, **kwargs).upper()


class Prefixed(fields.Raw):
    def _serialize(self, value, attr, obj, **kwargs):
        return f"{attr}:{value}:{obj['tag']}"


def test_a_field_overriding_serialize_falls_back_and_strict_refuses_it():
    class Loud(Schema):
        word = Shouting()
        tag = fields.String()

    compiled = check(Loud(), {"word": "hi", "tag": "t"}, {"word": "HI", "tag": "t"})
    assert compiled.fallbacks == ("Loud.word: Shouting overrides serialize; its own serialize() is called",)
    with pytest.raises(NotCompilable, match="Loud.word"):
        compile_dump(Loud(), strict=True)


def test_a_field_with_its_own_serialize_method_gets_the_arguments_marshmallow_gives():
    class Tagged(Schema):
        value = Prefixed(attribute="source")
        values = fields.List(Prefixed())
        tag = fields.String()

    compiled = check(Tagged(), {"source": 1, "values": [2, 3], "tag": "t"},
                     {"value": "value:1:t", "values": ["values:2:t", "values:3:t"], "tag": "t"})
    assert compiled.fallbacks == () and len(compiled.custom) == 2
    compile_dump(Tagged(), strict=True)  # custom _serialize is exact: not a fallback


def test_a_schema_overriding_dump_or_the_accessor():
    class OwnDump(Schema):
        name = fields.String()

        def dump(self, obj, *, many=None):
            return {"own": super().dump(obj, many=many)}

    class Parent(Schema):
        inner = fields.Nested(OwnDump)

    compiled = check(OwnDump(), {"name": "n"}, {"own": {"name": "n"}})
    assert compiled.fallbacks == ("OwnDump: OwnDump overrides dump; its own dump() is called",)
    check(Parent(), {"inner": {"name": "n"}}, {"inner": {"own": {"name": "n"}}})
    with pytest.raises(NotCompilable, match="overrides dump"):
        compile_dump(Parent(), strict=True)

    class Accessor(Schema):
        name = fields.String()
        size = fields.Integer(dump_default=0)

        def get_attribute(self, obj, attr, default):
            return obj.get(attr.upper(), default)

    check(Accessor(), {"NAME": "n", "name": "ignored"}, {"name": "n", "size": 0})
