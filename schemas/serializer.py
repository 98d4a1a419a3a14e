"""A faster `Schema.dump`, derived from the schema's own declared fields.

`compile_dump(schema)` walks `schema.dump_fields` once and returns a function that builds the same
document `schema.dump` builds, without marshmallow's per-field `serialize`/`get_value` machinery:

    dump = compile_dump(RecommendationPreviewSchema())
    document = dump(fields)                 # == RecommendationPreviewSchema().dump(fields)
    documents = dump(items, many=True)      # == schema.dump(items, many=True)

The schema stays the only source of truth: nothing here knows the shape of a document. What is
derived, and how each part stays identical to marshmallow 4's `Schema.dump`:

- Fields: those of `dump_fields` in their order (so `only`, `exclude`, `load_only`, `Meta.fields`
  are marshmallow's own), under `data_key` when set, read from `attribute` when set, left out when
  the value is missing and there is no `dump_default`, as `Schema._serialize` does.
- Reading a value: as `marshmallow.utils.get_value` reads it (`obj[key]`, else `getattr`), with fast
  paths for plain dicts and for objects whose type has no `__getitem__` (dataclasses); a schema that
  overrides `get_attribute`, or has a dotted `attribute`, reads through the schema's accessor.
- Converting a value: specialised for the `_serialize` marshmallow defines for Raw/Boolean (as is),
  String (`ensure_text_type`), Integer/Float (`int()`/`float()`: an int in a Float field becomes
  1.0, a float in an Integer field is truncated; `as_string`), Nested (one or many, with the
  `only`/`exclude` its `schema` resolves), Pluck, List, Tuple, Dict/Mapping (with keys and values
  fields), Enum (by name or by value), Constant and UUID. The check is on the method itself: a
  subclass that only changes error messages or loading (schemas.fields.String, Integer, List,
  Metadata) is specialised; a field class defining its own `_serialize` (FactorValue) has that
  method called with the arguments marshmallow passes it ("custom"); a field that overrides
  `serialize` or `get_value` has its own `serialize(attr, obj, accessor=schema.get_attribute)`
  called ("fallback").
- Hooks: `@pre_dump` and `@post_dump` run as `Schema.dump` runs them (`_invoke_dump_processors`):
  pre hooks on the object, post hooks on the result, per-item ones (pass_collection=False) before
  collection ones, each given `many=`, `pass_original` given the object as passed in (paired item
  by item with `zip_longest` when many). Bound methods are looked up once, when compiling.
- A schema class overriding `dump`, `_serialize`, `_invoke_dump_processors` or
  `_invoke_processors`, or whose `dict_class` is not `dict`, is not compiled: its own `dump` is
  called ("fallback").

`compile_dump(schema, strict=True)` raises `NotCompilable` instead of falling back. The returned
function carries `fallbacks` and `custom` (where each happens, and why) and `sources` (the code
generated per schema). What is compiled is a snapshot: options of the schema instance or its fields
changed afterwards are not seen (compile again).

Each schema's object serializer is generated code (one straight run of statements per field, in
`dump_fields` order), which is what makes it fast; values are converted by closures specialised per
field type. Nested schemas are compiled eagerly, except a schema class nested inside itself
(directly or not), which is compiled on first use, level by level, as marshmallow instantiates it.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing, utils
from marshmallow.decorators import POST_DUMP, PRE_DUMP

__all__ = ["NotCompilable", "compile_dump"]

MISSING = missing

_SCHEMA_METHODS = ("dump", "_serialize", "_invoke_dump_processors", "_invoke_processors")
_FIELD_METHODS = ("serialize", "get_value", "_serialize", "_format_num", "_to_string", "schema",
                  "_field_data_key")


class NotCompilable(TypeError):
    """`compile_dump(..., strict=True)` met a part it can only run through marshmallow itself."""


def compile_dump(schema: Schema, *, strict: bool = False) -> Callable[..., Any]:
    """A function `dump(obj, *, many=None)` returning exactly what `schema.dump(obj, many=many)` returns.

    `strict=True`: raise `NotCompilable` for any part that would fall back to marshmallow.
    The function carries `schema`, `fallbacks`, `custom` (tuples of str) and `sources` (dict).
    """
    if not isinstance(schema, Schema):
        raise TypeError(f"compile_dump needs a Schema instance, not {type(schema).__name__}")
    compiler = _Compiler(strict)
    run = compiler.schema(schema, type(schema).__name__).dump
    default_many = schema.many

    def dump(obj: Any, *, many: bool | None = None) -> Any:
        return run(obj, default_many if many is None else bool(many))

    dump.schema = schema
    dump.fallbacks = tuple(compiler.fallbacks)
    dump.custom = tuple(compiler.custom)
    dump.sources = dict(compiler.sources)
    dump.__doc__ = f"{type(schema).__name__}.dump, compiled by schemas.serializer"
    return dump


# Value conversions. Every one has `fn(value, obj)`, doing what the field's `_serialize(value, attr, obj)`
# does; the kinds below also say how the generated code can inline it.
_AS_IS = "as is"               # the value itself
_SCALAR = "scalar"             # `exact` type: the value itself, else fn (String, Integer, Float)
_NESTED = "nested"             # `one`: a schema's serializer (not many, no hooks); None stays None
_LIST_AS_IS = "list as is"     # list(value); None stays None
_LIST_SCALAR = "list scalar"   # items: `exact` type as is, else `item`
_LIST_NESTED = "list nested"   # items: `one`, None stays None
_CALL = "call"                 # fn, whose result may be `missing` (then the key is left out)


class _Conv:
    __slots__ = ("exact", "fn", "item", "kind", "one")

    def __init__(self, fn, kind=_CALL, *, exact=None, one=None, item=None):
        self.fn, self.kind, self.exact, self.one, self.item = fn, kind, exact, one, item


class _Dumper:
    """A compiled schema: `dump(obj, many)` does Schema.dump; `one(obj)` does `_serialize(obj)` without hooks
    (None when the schema falls back or is compiled lazily)."""

    __slots__ = ("dump", "hooks", "one")

    def __init__(self, dump, one, hooks):
        self.dump, self.one, self.hooks = dump, one, hooks


# Types whose instances get_value reads with getattr alone: no __getitem__, and not classes.
_ATTRIBUTE_TYPES: dict[type, bool] = {}
_ATTRIBUTE_TYPES_KEPT = 4096  # types made on the fly are not kept forever
_generated = itertools.count(1)


def _reads_attributes(kind: type) -> bool:
    plain = _ATTRIBUTE_TYPES.get(kind)
    if plain is None:
        if len(_ATTRIBUTE_TYPES) >= _ATTRIBUTE_TYPES_KEPT:
            _ATTRIBUTE_TYPES.clear()
        # obj[key] on an instance of a type without __getitem__ raises TypeError, on which get_value uses getattr:
        # the same as getattr alone. Classes are subscriptable (__class_getitem__), so they are left out.
        plain = _ATTRIBUTE_TYPES[kind] = not issubclass(kind, type) and not hasattr(kind, "__getitem__")
    return plain


def _overrides(obj: Any, base: type, name: str) -> bool:
    """Whether `obj`'s class, or the instance itself, replaces `base`'s attribute `name`."""
    return getattr(type(obj), name) is not getattr(base, name) or name in getattr(obj, "__dict__", {})


class _Compiler:
    def __init__(self, strict: bool):
        self.strict = strict
        self.fallbacks: list[str] = []
        self.custom: list[str] = []
        self.sources: dict[str, str] = {}
        self._done: dict[int, tuple[Schema, _Dumper]] = {}
        self._stack: list[type] = []

    def _fallback(self, where: str, why: str) -> None:
        if self.strict:
            raise NotCompilable(f"{where}: {why}")
        self.fallbacks.append(f"{where}: {why}")

    # Schemas

    def schema(self, schema: Schema, where: str) -> _Dumper:
        known = self._done.get(id(schema))
        if known is not None:
            return known[1]
        if type(schema) in self._stack:  # a schema nested in itself: one level at a time, when reached
            return self._lazy(schema, where)
        self._stack.append(type(schema))
        try:
            dumper = self._schema(schema, where)
        finally:
            self._stack.pop()
        self._done[id(schema)] = (schema, dumper)  # the schema is kept so that its id is not reused
        return dumper

    def _lazy(self, schema: Schema, where: str) -> _Dumper:
        cell: list[_Dumper | None] = [None]
        compiler = _Compiler(self.strict)

        def dump(obj, many):
            dumper = cell[0]
            if dumper is None:
                dumper = cell[0] = compiler.schema(schema, where)
            return dumper.dump(obj, many)

        return _Dumper(dump, None, True)

    def _schema(self, schema: Schema, where: str) -> _Dumper:
        for name in _SCHEMA_METHODS:
            if _overrides(schema, Schema, name):
                return self._whole_schema_fallback(schema, where, f"{type(schema).__name__} overrides {name}")
        if schema.dict_class is not dict:
            return self._whole_schema_fallback(schema, where, f"its dict_class is {schema.dict_class.__name__}")
        accessor = schema.get_attribute
        plan = []
        for attr_name, field in schema.dump_fields.items():
            key = field.data_key if field.data_key is not None else attr_name
            plan.append((key, *self._entry(attr_name, field, f"{where}.{attr_name}", accessor)))
        generic = _overrides(schema, Schema, "get_attribute") or any(
            name is not None and "." in name for _key, name, *_rest in plan)
        one, source = _serializer(plan, accessor if generic else None, where)
        self.sources[where] = source
        pre, post = _hooks(schema, PRE_DUMP), _hooks(schema, POST_DUMP)
        if pre is None and post is None:
            def dump(obj, many):
                if many and obj is not None:
                    return [one(item) for item in obj]
                return one(obj)
        else:
            def dump(obj, many):
                processed = obj if pre is None else pre(obj, many, obj)
                if many and processed is not None:
                    result = [one(item) for item in processed]
                else:
                    result = one(processed)
                return result if post is None else post(result, many, obj)
        return _Dumper(dump, one, pre is not None or post is not None)

    def _whole_schema_fallback(self, schema: Schema, where: str, why: str) -> _Dumper:
        self._fallback(where, f"{why}; its own dump() is called")
        run = schema.dump
        return _Dumper(lambda obj, many: run(obj, many=many), None, True)

    # Fields

    def _entry(self, attr_name: str, field: fields.Field, where: str, accessor):
        """(name to read or None, conversion, dump_default, whether `name` is an attribute of dict)."""
        replaced = [name for name in ("serialize", "get_value") if _overrides(field, fields.Field, name)]
        if replaced and (replaced != ["get_value"] or field._CHECK_ATTRIBUTE):
            self._fallback(where, f"{type(field).__name__} overrides {replaced[0]}; its own serialize() is called")
            serialize = field.serialize

            def opaque(_value, obj):
                return serialize(attr_name, obj, accessor=accessor)

            return None, _Conv(opaque), MISSING, False
        conv = self.converter(field, attr_name, where)
        if not field._CHECK_ATTRIBUTE:  # Constant, Method, Function: _serialize(None, attr, obj)
            return None, conv, MISSING, False
        name = attr_name if field.attribute is None else field.attribute
        return name, conv, field.dump_default, hasattr(dict, name)

    def converter(self, field: fields.Field, attr: str | None, where: str) -> _Conv:
        """What `field._serialize(value, attr, obj)` does."""
        cls = type(field)
        own = getattr(field, "__dict__", {})
        if any(name in own for name in _FIELD_METHODS):
            return self._custom(field, attr, where, "the field instance replaces a serialization method")
        method = cls._serialize
        if method is fields.Field._serialize:  # Raw, Boolean, and fields that only change loading
            return _Conv(_as_is, _AS_IS)
        if method is fields.String._serialize:
            return _Conv(_string, _SCALAR, exact=str)
        if (method is fields.Number._serialize and cls._format_num is fields.Number._format_num
                and cls._to_string is fields.Number._to_string):
            return _number(field)
        if method is fields.List._serialize:
            return self._list(field, attr, where)
        if method is fields.Nested._serialize and cls.schema is fields.Nested.schema:
            return self._nested(field, where)
        if (method is fields.Pluck._serialize and cls.schema is fields.Nested.schema
                and cls._field_data_key is fields.Pluck._field_data_key):
            return self._pluck(field, where)
        if method is fields.Tuple._serialize:
            return self._tuple(field, attr, where)
        if method is fields.Mapping._serialize:
            return self._mapping(field, where)
        if method is fields.Enum._serialize:
            return self._enum(field, attr, where)
        if method is fields.Constant._serialize:
            constant = field.constant
            return _Conv(lambda _value, _obj: constant)
        if method is fields.UUID._serialize:
            return _Conv(_uuid)
        return self._custom(field, attr, where, f"{cls.__name__} defines its own _serialize")

    def _custom(self, field, attr, where, why) -> _Conv:
        self.custom.append(f"{where}: {why}; called directly")
        method = field._serialize

        def custom(value, obj):
            return method(value, attr, obj)

        return _Conv(custom)

    def _list(self, field: fields.List, attr, where) -> _Conv:
        inner = self.converter(field.inner, attr, where + "[]")
        convert = inner.fn
        if inner.kind == _AS_IS:
            def as_list(value, obj):
                return None if value is None else list(value)
            return _Conv(as_list, _LIST_AS_IS)
        if inner.kind == _SCALAR:
            exact = inner.exact

            def scalars(value, obj):
                if value is None:
                    return None
                return [each if type(each) is exact else convert(each, obj) for each in value]
            return _Conv(scalars, _LIST_SCALAR, exact=exact, item=convert)
        if inner.kind == _NESTED:
            one = inner.one

            def objects(value, obj):
                if value is None:
                    return None
                return [None if each is None else one(each) for each in value]
            return _Conv(objects, _LIST_NESTED, one=one)

        def items(value, obj):
            if value is None:
                return None
            return [convert(each, obj) for each in value]
        return _Conv(items)

    def _nested(self, field: fields.Nested, where) -> _Conv:
        schema = field.schema  # resolves the class, only/exclude and many, as the first dump would
        many = bool(schema.many or field.many)
        dumper = self.schema(schema, f"{where}<{type(schema).__name__}>")
        if dumper.one is not None and not dumper.hooks:
            one = dumper.one
            if many:
                def nested_many(value, obj):
                    return None if value is None else [one(item) for item in value]
                return _Conv(nested_many)

            def nested_one(value, obj):
                return None if value is None else one(value)
            return _Conv(nested_one, _NESTED, one=one)
        run = dumper.dump

        def nested(value, obj):
            return None if value is None else run(value, many)
        return _Conv(nested)

    def _pluck(self, field: fields.Pluck, where) -> _Conv:
        nested = self._nested(field, where).fn
        key = field._field_data_key
        if field.many:
            def pluck_many(value, obj):
                ret = nested(value, obj)
                return None if ret is None else utils.pluck(ret, key=key)
            return _Conv(pluck_many)

        def pluck(value, obj):
            ret = nested(value, obj)
            return None if ret is None else ret[key]
        return _Conv(pluck)

    def _tuple(self, field: fields.Tuple, attr, where) -> _Conv:
        converters = tuple(self.converter(each, attr, f"{where}[{index}]").fn
                           for index, each in enumerate(field.tuple_fields))

        def as_tuple(value, obj):
            if value is None:
                return None
            return tuple(convert(each, obj) for convert, each in zip(converters, value, strict=True))
        return _Conv(as_tuple)

    def _mapping(self, field: fields.Mapping, where) -> _Conv:
        mapping_type = field.mapping_type
        key_field, value_field = field.key_field, field.value_field
        if not value_field and not key_field:
            def mapping(value, obj):
                return None if value is None else mapping_type(value)
            return _Conv(mapping)
        # Mapping._serialize gives its keys' and values' fields attr=None and obj=None.
        keys = None if key_field is None else self.converter(key_field, None, where + "{key}").fn
        values = None if value_field is None else self.converter(value_field, None, where + "{}").fn

        def mapping_of(value, obj):
            if value is None:
                return None
            names = {k: k for k in value} if keys is None else {k: keys(k, None) for k in value}
            result = mapping_type()
            if values is None:
                for k, v in value.items():
                    if k in names:
                        result[names[k]] = v
            else:
                for k, v in value.items():
                    result[names[k]] = values(v, None)
            return result
        return _Conv(mapping_of)

    def _enum(self, field: fields.Enum, attr, where) -> _Conv:
        inner = self.converter(field.field, attr, where + "<enum>").fn
        if field.by_value:
            def by_value(value, obj):
                return None if value is None else inner(value.value, obj)
            return _Conv(by_value)

        def by_name(value, obj):
            return None if value is None else inner(value.name, obj)
        return _Conv(by_name)


def _as_is(value, obj):
    return value


def _string(value, obj):
    return None if value is None else utils.ensure_text_type(value)


def _uuid(value, obj):
    return None if value is None else str(value)


def _number(field: fields.Number) -> _Conv:
    num_type = field.num_type
    if field.as_string:
        def as_string(value, obj):
            return None if value is None else str(num_type(value))
        return _Conv(as_string)

    def number(value, obj):
        return None if value is None else num_type(value)
    # int(x) and float(x) give x itself for an exact int or float: those are kept as they are.
    return _Conv(number, _SCALAR, exact=num_type) if num_type in (int, float) else _Conv(number)


def _hooks(schema: Schema, tag: str):
    """`schema._invoke_dump_processors(tag, data, many=, original_data=)` as a function (data, many, original),
    or None when the schema has no such hook."""
    hooks = schema._hooks[tag]
    if not hooks:
        return None
    # Per-item processors (pass_collection=False) first, then the collection ones, each in the order of _hooks.
    each = [(getattr(schema, name), bool(kwargs.get("pass_original", False)))
            for name, pass_collection, kwargs in hooks if not pass_collection]
    whole = [(getattr(schema, name), bool(kwargs.get("pass_original", False)))
             for name, pass_collection, kwargs in hooks if pass_collection]

    def invoke(data, many, original):
        for processor, pass_original in each:
            if many:
                if pass_original:
                    data = [processor(item, item_original, many=many)
                            for item, item_original in itertools.zip_longest(data, original)]
                else:
                    data = [processor(item, many=many) for item in data]
            elif pass_original:
                data = processor(data, original, many=many)
            else:
                data = processor(data, many=many)
        for processor, pass_original in whole:
            data = processor(data, original, many=many) if pass_original else processor(data, many=many)
        return data

    return invoke


def _missing_value(name: str, default: Any, dict_attribute: bool):
    """What a field gets when reading `name` found nothing: for a dict lacking the key, get_value's getattr
    (when dict has such an attribute); else the dump_default, or `missing`."""
    def missing_value(obj, is_dict):
        if dict_attribute and is_dict and name not in obj:
            return getattr(obj, name)
        if default is MISSING:
            return MISSING
        return default() if callable(default) else default
    return missing_value


def _serializer(plan: list, accessor, where: str) -> tuple[Callable[[Any], dict], str]:
    """`Schema._serialize(obj)` for one object, generated from the plan; and its source.

    Each entry of the plan: (key, name, conversion, dump_default, name_is_dict_attribute); name None: no
    value is read (the conversion gets None, and the object).
    """
    namespace: dict[str, Any] = {"MISSING": MISSING, "reads_attributes": _reads_attributes,
                                 "get_value": accessor or utils.get_value}
    for key, name, *_rest in plan:
        for text in (key, name):
            if text is not None and type(text) is not str:
                raise TypeError(f"{where}: field names and data keys must be str, not {text!r}")

    def fields_code(read: str, is_dict: bool) -> list[str]:
        lines = []
        for index, (key, name, conv, default, dict_attribute) in enumerate(plan):
            lines.append(f"    # {key!r}: {conv.kind}")
            if name is None:
                lines.append("    v = None")
                guard = ""
            else:
                lines.append(f"    v = {read.format(repr(name))}")
                if default is not MISSING or (dict_attribute and is_dict):
                    namespace[f"missing_{index}"] = _missing_value(name, default, dict_attribute)
                    lines += ["    if v is MISSING:", f"        v = missing_{index}(obj, {is_dict})"]
                lines.append("    if v is not MISSING:")
                guard = "    "
            namespace[f"fn_{index}"] = conv.fn
            store = f"    {guard}ret[{key!r}] = "
            kind = conv.kind
            if kind == _AS_IS:
                lines.append(store + "v")
            elif kind == _SCALAR:
                namespace[f"exact_{index}"] = conv.exact
                lines.append(store + f"v if type(v) is exact_{index} else fn_{index}(v, obj)")
            elif kind == _NESTED:
                namespace[f"one_{index}"] = conv.one
                lines.append(store + f"None if v is None else one_{index}(v)")
            elif kind == _LIST_AS_IS:
                lines.append(store + "None if v is None else list(v)")
            elif kind == _LIST_SCALAR:
                namespace[f"exact_{index}"], namespace[f"item_{index}"] = conv.exact, conv.item
                lines.append(store + f"None if v is None else "
                                     f"[e if type(e) is exact_{index} else item_{index}(e, obj) for e in v]")
            elif kind == _LIST_NESTED:
                namespace[f"one_{index}"] = conv.one
                lines.append(store + f"None if v is None else [None if e is None else one_{index}(e) for e in v]")
            else:
                lines += [f"    {guard}v = fn_{index}(v, obj)",
                          f"    {guard}if v is not MISSING:",
                          f"    {guard}    ret[{key!r}] = v"]
        return lines

    source = ["def serialize(obj):"]
    if accessor is None:
        source += ["    kind = type(obj)", "    if kind is dict:", "        get = obj.get", "        ret = {}"]
        source += ["    " + line for line in fields_code("get({}, MISSING)", True)]
        source += ["        return ret", "    if reads_attributes(kind):", "        ret = {}"]
        source += ["    " + line for line in fields_code("getattr(obj, {}, MISSING)", False)]
        source += ["        return ret"]
    source += ["    ret = {}", *fields_code("get_value(obj, {}, MISSING)", False), "    return ret"]
    text = "\n".join(source) + "\n"
    filename = f"<compiled dump {next(_generated)} of {where}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)  # for tracebacks
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 (the code generated above from the plan)
    return namespace["serialize"], text
