"""Marshmallow fields and validators whose every message carries a stable code.

Marshmallow reports errors as plain strings. Each message written here starts
with a machine-readable code and a separator, so the error handler can give
integrators `{pointer, code, message}` without guessing from English text.
"""

from __future__ import annotations

import datetime as dt
import re

from marshmallow import Schema, ValidationError, fields, pre_load, validate
from marshmallow import RAISE

SEPARATOR = "\x1f"  # ASCII unit separator: never part of a human message

# Every code a validation error can carry; documented in the OpenAPI document.
CODES = {
    "required": "A required field is missing.",
    "not_nullable": "The field may not be null.",
    "unknown_field": "The field is not part of the schema.",
    "invalid_type": "The value has the wrong JSON type.",
    "invalid_choice": "The value is not one of the allowed values.",
    "out_of_range": "The number is outside its allowed range.",
    "invalid_length": "The text or list is too short or too long.",
    "duplicate_item": "A list that must hold unique items holds one twice.",
    "invalid_format": "The text does not have the required format.",
    "repeated_parameter": "A query parameter was given more than once.",
    "unknown_weight_profile": "No weight profile has this id.",
    "not_applicable": "The parameter does not apply to this request.",
    "mutually_exclusive": "Give only one of these fields.",
    "conflicts_with_path": "The field names something other than the request path does.",
    "idempotency_key_reused": "The Idempotency-Key was first used with a different request.",
    "too_many_errors": "Checking stopped here: the input already had too many errors; fix these and send it again.",
}

# A hostile body can hold thousands of mistakes: checking stops once this many are found,
# so refusing it costs little and its answer stays small.
ERROR_BUDGET = 50
# More unknown fields than this in one object: report these few, check nothing else in it.
UNKNOWN_FIELDS_SHOWN = 10


def coded(code: str, message: str) -> str:
    """A message marshmallow will carry unchanged, tagged with its code."""
    assert code in CODES, code
    return f"{code}{SEPARATOR}{message}"


def split_message(message: str) -> tuple[str, str]:
    """(code, text) of a coded message; untagged messages get code 'invalid'."""
    code, sep, text = str(message).partition(SEPARATOR)
    return (code, text) if sep else ("invalid", code)


_COMMON = {
    "required": coded("required", "This field is required."),
    "null": coded("not_nullable", "This field may not be null."),
    "validator_failed": coded("invalid_format", "Invalid value."),
}


class StrictSchema(Schema):
    """Rejects unknown fields and non-object input with coded messages."""

    error_messages = {
        "unknown": coded("unknown_field", "Unknown field."),
        "type": coded("invalid_type", "Expected a JSON object."),
    }

    class Meta:
        unknown = RAISE

    @pre_load
    def _few_unknown_fields(self, data, **kwargs):
        """An object stuffed with unknown fields is refused on a few of them, before any value is checked."""
        if isinstance(data, dict) and len(data) > UNKNOWN_FIELDS_SHOWN:
            unknown = [key for key in data if key not in self.load_fields]
            if len(unknown) > UNKNOWN_FIELDS_SHOWN:
                shown = {key: [self.error_messages["unknown"]] for key in unknown[:UNKNOWN_FIELDS_SHOWN]}
                shown["_schema"] = [coded("too_many_errors", f"{len(unknown)} unknown fields; only the first "
                                                             f"{UNKNOWN_FIELDS_SHOWN} are listed.")]
                raise ValidationError(shown)
        return data


class String(fields.String):
    default_error_messages = {
        **_COMMON,
        "invalid": coded("invalid_type", "Expected a string."),
    }


class Integer(fields.Integer):
    """A JSON integer: no strings or booleans; a number with no fraction, such as 8.0, counts (as in JSON Schema)."""

    default_error_messages = {
        **_COMMON,
        "invalid": coded("invalid_type", "Expected an integer."),
    }

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


class QueryBoolean(fields.Boolean):
    """`true` or `false` in a query string, spelled just so (as a JSON Schema boolean is written)."""

    truthy = {"true"}
    falsy = {"false"}
    default_error_messages = {
        **_COMMON,
        "invalid": coded("invalid_type", "Expected true or false."),
    }


class QueryInteger(fields.Integer):
    """An integer given as text in a query string."""

    default_error_messages = {
        **_COMMON,
        "invalid": coded("invalid_type", "Expected a whole number."),
    }


def count_messages(messages) -> int:
    """How many error messages a marshmallow `messages` structure holds."""
    if isinstance(messages, dict):
        return sum(count_messages(value) for value in messages.values())
    if isinstance(messages, list):
        return sum(count_messages(item) if isinstance(item, (dict, list)) else 1 for item in messages)
    return 1


class List(fields.List):
    """A JSON array: its length is checked before its items, and checking its items
    stops once ERROR_BUDGET errors are found (the rest are reported as not checked)."""

    default_error_messages = {**_COMMON, "invalid": coded("invalid_type", "Expected an array.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (list, tuple)):
            raise self.make_error("invalid")
        for validator in self.validators:
            if isinstance(validator, validate.Length) and validator.max is not None and len(value) > validator.max:
                validator(value)  # raises its own coded message; no item is looked at
        result, errors, found = [], {}, 0
        for index, item in enumerate(value):
            try:
                result.append(self.inner.deserialize(item, **kwargs))
            except ValidationError as error:
                errors[index] = error.messages
                found += count_messages(error.messages)
                if found >= ERROR_BUDGET and index + 1 < len(value):
                    errors[index + 1] = [coded("too_many_errors", f"Checking stopped after {found} errors; items "
                                                                  f"{index + 1} to {len(value) - 1} were not checked.")]
                    break
        if errors:
            raise ValidationError(errors, valid_data=result)
        return result


class DateTime(fields.AwareDateTime):
    """An RFC 3339 date-time; one without a time zone is taken as UTC."""

    default_error_messages = {
        **_COMMON,
        "invalid": coded("invalid_format", "Expected an RFC 3339 date-time such as 2026-01-31T09:00:00Z."),
        "invalid_awareness": coded("invalid_format", "Expected a date-time with a time zone."),
        "format": coded("invalid_format", "Could not format the date-time."),
        "out_of_range": coded("out_of_range", "The date-time is outside the years 1 to 9999 in UTC."),
    }

    # A query string turns the '+' of '+01:00' into a space; read it back as '+'.
    _SPACED_OFFSET = re.compile(r"^(\S+T\S+) (\d\d:?\d\d)$")

    def __init__(self, **kwargs):
        super().__init__(default_timezone=dt.timezone.utc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = self._SPACED_OFFSET.sub(r"\1+\2", value)
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(dt.timezone.utc)
        except OverflowError:
            raise self.make_error("out_of_range") from None


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=coded("invalid_choice", "Must be one of: {choices}."))


def between(low: int, high: int) -> validate.Range:
    # Numbers written with thousands separators, as every other text of the API writes them.
    return validate.Range(low, high, error=coded("out_of_range", f"Must be between {low:,} and {high:,}."))


def item_count(low: int, high: int, message: str = "Give {min} to {max} items.") -> validate.Length:
    """Validator of a list's length; `List` checks it before looking at any item."""
    return validate.Length(low, high, error=coded("invalid_length", message))


def length(low: int, high: int) -> validate.Length:
    return validate.Length(low, high, error=coded("invalid_length", "Must be {min} to {max} characters long."))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
# White space as JavaScript regular expressions (and so JSON Schema patterns) define \s, spelled out so that
# Python and every OpenAPI tool agree on what "blank" means.
_BLANK = "\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_NOT_CONTROL = "[^\\u0000-\\u001f\\u007f-\\u009f]"
PLAIN_TEXT_PATTERN = f"^{_NOT_CONTROL}*[^\\u0000-\\u001f\\u007f-\\u009f{_BLANK}]{_NOT_CONTROL}*$"
_VISIBLE = re.compile(f"[^\\u0000-\\u001f\\u007f-\\u009f{_BLANK}]")


class PlainText(validate.Regexp):
    """Validator: one line of visible text (no control characters such as NUL or newlines, not blank).

    A Regexp, so the OpenAPI document carries the same rule as a `pattern`; the checks below give
    each way of failing its own code.
    """

    def __init__(self):
        super().__init__(PLAIN_TEXT_PATTERN)

    def __call__(self, value: str) -> str:
        if _CONTROL.search(value):
            raise ValidationError(coded("invalid_format", "Must not contain control characters such as NUL or "
                                                          "newlines."))
        if value and not _VISIBLE.search(value):  # an empty value is the length check's to report
            raise ValidationError(coded("invalid_length", "Must contain more than white space."))
        return value


plain_text = PlainText()


def text(low: int, high: int) -> list:
    """Validators of a one-line text field of `low` to `high` characters."""
    return [length(low, high), plain_text]


def cursor(pattern: str) -> String:
    """A paging cursor: the previous page's `next_cursor`, whose format `pattern` gives."""
    # Nullable in the document although a query string cannot carry null: a typed client can pass the
    # previous page's `next_cursor` (a string, or null on the last page) straight back, and generated
    # clients leave a null parameter out, which means the first page.
    return String(allow_none=True,
                  validate=validate.Regexp(pattern, error=coded("invalid_format", "Use next_cursor from a previous "
                                                                                  "page unchanged.")),
                  metadata={"description": "`next_cursor` of the previous page, unchanged (treat it as opaque); "
                                           "left out (or null, which clients leave out): the first page."})


def enum_string(choices, **kwargs) -> String:
    """A string field restricted to an enum of the contract."""
    return String(validate=one_of(choices), **kwargs)


def unique_items(values) -> None:
    """Validator: a list whose items are all different."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValidationError(coded("duplicate_item", f"'{value}' is given more than once."))
        seen.add(value)


def no_control(value: str) -> str:
    """Validator: text of one line that may be empty or blank (no control characters such as NUL or newlines)."""
    if _CONTROL.search(value):
        raise ValidationError(coded("invalid_format", "Must not contain control characters such as NUL or newlines."))
    return value


# The integrator's own keys (`metadata`) on recommendations and weight profiles. Keys are plain enough that
# `metadata[key]=value` in a query string can only mean one thing.
METADATA_MAX_KEYS = 20
METADATA_VALUE_MAX = 500
METADATA_KEY_PATTERN = "^[A-Za-z0-9_.:-]{1,40}$"
_METADATA_KEY = re.compile(METADATA_KEY_PATTERN[1:-1])
_METADATA_VALUE = [length(0, METADATA_VALUE_MAX), no_control]
METADATA_SCHEMA = {
    "type": "object",
    "maxProperties": METADATA_MAX_KEYS,
    "additionalProperties": {"type": "string", "maxLength": METADATA_VALUE_MAX, "pattern": f"^{_NOT_CONTROL}*$"},
}


def metadata_key(key: str) -> bool:
    """Whether `key` may name a metadata entry."""
    return _METADATA_KEY.fullmatch(key) is not None


class Metadata(fields.Field):
    """Up to 20 keys of 1 to 40 letters, digits, `_`, `.`, `:` or `-`, each to a text of 0 to 500 characters
    without control characters. The number of keys is checked before any key, so a huge object costs one
    error; each bad key or value is reported at /<field>/<key>. Loads sorted by key: two objects that mean the
    same are the same."""

    default_error_messages = {**_COMMON, "invalid": coded("invalid_type", "Expected a JSON object of text values.")}
    # What fields alone cannot say in the document (added by service/http/openapi.py's converter).
    OPENAPI_EXTRA = {"propertyNames": {"pattern": METADATA_KEY_PATTERN}}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {**METADATA_SCHEMA, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if len(value) > METADATA_MAX_KEYS:  # no key is looked at
            raise ValidationError(coded("invalid_length", f"Give at most {METADATA_MAX_KEYS} keys; this object has "
                                                          f"{len(value):,}."))
        errors = {}
        for key, text in value.items():
            if not isinstance(key, str) or not metadata_key(key):
                errors[key] = [coded("invalid_format", "A key is 1 to 40 letters, digits, '_', '.', ':' or '-'.")]
            elif not isinstance(text, str):
                errors[key] = [coded("invalid_type", "Expected a string.")]
            else:
                try:
                    for validator in _METADATA_VALUE:
                        validator(text)
                except ValidationError as error:
                    errors[key] = error.messages
        if errors:
            raise ValidationError(errors)
        return dict(sorted(value.items()))


class MetadataQuery(Metadata):
    """`metadata[key]=value` query parameters, gathered into one object by service/http/apidoc.py's `@query`."""

    OPENAPI_PARAMETER = {"style": "deepObject", "explode": True}

    def __init__(self, whose: str, written: str, **kwargs):
        super().__init__(metadata={
            "description": f"Only {whose} `metadata` has exactly these values, all of them: `{written}` (up to 20 "
                           "keys, each once; an empty value matches an empty value). Keep the whole URL under 4 KB: "
                           "the server refuses a longer request line (414) before reading it.",
            **kwargs})


def page_limit() -> QueryInteger:
    """The `limit` of every list: a page of 1 to 100, 20 when left out."""
    return QueryInteger(load_default=20, validate=between(1, 100), metadata={"description": "Page size, 1 to 100."})


def page_of(name: str, item: type[Schema], doc: str) -> type[Schema]:
    """The schema of one page of `item`s, newest first, named `name` (its OpenAPI component is `name` less
    "Schema")."""
    return type(name, (Schema,), {
        "__doc__": doc,
        "data": fields.List(fields.Nested(item), required=True),
        "has_more": fields.Boolean(required=True),
        "next_cursor": fields.String(required=True, allow_none=True, metadata={"description": "Pass as `cursor`."}),
    })
