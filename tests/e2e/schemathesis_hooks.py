"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS) for the generated phases of the contract fuzzing
run (coverage, fuzzing, stateful): the eight rules a JSON Schema cannot state, applied just before each request
is sent (each explained below). The examples phase runs apart, with the Idempotency-Key hook alone
(schemathesis_examples_hooks.py): every documented example must work as written.

Idempotency-Key: a generator cannot know that each new request needs a new key, and repeats simple values
such as "0" across operations, so each request gets a fresh one (see schemathesis_examples_hooks.py).
"""

from urllib.parse import unquote

import schemathesis
from marshmallow import ValidationError

from schemas.batch import BATCH_MAX, BatchRequestSchema
from schemas.profile import CompanyProfileSchema
from service.csvio import REQUIRED_COLUMNS, read_profiles
from service.errors import HiremixError
from tests.e2e.schemathesis_examples_hooks import fresh_idempotency_key

_PROFILE_FIELDS = CompanyProfileSchema().fields


@schemathesis.hook
def before_call(context, case, kwargs):
    """Just before sending (every phase): a fresh Idempotency-Key, thresholds in order, a CSV batch header."""
    fresh_idempotency_key(case)
    _order_thresholds(case.body)
    _name_existing_weights(case.body)
    if case.media_type == "text/csv" and isinstance(case.body, str):
        case.body = _as_batch(case.body)
    if case.path == "/v1/recommendations/batch" and isinstance(case.body, dict):
        _within_error_budget(case.body)
    if case.path.endswith("/versions") and case.method.upper() == "POST" and isinstance(case.body, dict):
        _without_model_parts(case.body)
    if case.path.startswith("/v1/webhook-endpoints") and isinstance(case.body, dict):
        _reachable_url(case.body)
    if case.path.startswith("/v1/requisitions/") and case.method.upper() == "PUT" and isinstance(case.body, dict):
        _the_paths_requisition(case.body, (case.path_parameters or {}).get("external_id"))
    if isinstance(case.query, dict):
        _within_request_line(case.query)


# A request line longer than gunicorn's 4,094 bytes is refused by gunicorn itself (414) before hiremix sees it;
# the metadata filter's description says the URL must stay under 4 KB. Twenty filters of 500-character values
# can be longer, which no schema can say of a whole URL, so generated filters lose entries (then get shorter)
# until the encoded query fits in 3 KB.
def _within_request_line(query: dict) -> None:
    import json
    from urllib.parse import quote

    def entry(key, value) -> int:  # a nested value (a negative test) is sent as more brackets: count it twice
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str) * 2
        return len(quote(str(key), safe="")) + len(quote(text, safe="")) + 12

    def size() -> int:
        return sum(entry(key, value) for key, value in query.items() if key != "metadata") + sum(
            entry(key, value) for key, value in (filters.items() if isinstance(filters, dict) else []))

    filters = query.get("metadata")
    # The filters, as schemathesis holds them: one object under "metadata", or already spread as "metadata[...]".
    holders = [(filters, key) for key in list(filters)] if isinstance(filters, dict) else []
    holders += [(query, key) for key in list(query) if str(key).startswith("metadata[")]
    while holders and size() > 3000:
        holder, key = holders.pop()
        holder.pop(key, None)


# A requisition's answer may leave `external_id` out of the body or give the path's; another is a 422
# `conflicts_with_path` (tests/api covers it). A schema cannot tie a body value to a path value, so a valid
# generated one becomes the path's (as the server reads it: schemathesis has percent-encoded it by now); a
# malformed one (a negative test) is left as generated.
def _the_paths_requisition(body: dict, external_id) -> None:
    external_id = unquote(external_id) if isinstance(external_id, str) else external_id
    if _valid("external_id", body.get("external_id")) and _valid("external_id", external_id):
        body["external_id"] = external_id


# A webhook URL must be https to a public host, or (in development, as here) http to a loopback one; which
# hosts resolve where is not something a schema can state. So a generated URL becomes a loopback one, its
# generated path kept; tests/api covers every refused kind of URL.
def _reachable_url(body: dict) -> None:
    url = body.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 2048:
        path = "".join(char for char in url if char.isalnum())[:100]
        body["url"] = f"http://127.0.0.1:9/{path}"


# A new version keeps its profile's model unless model_version says otherwise, and what fits depends on
# that model (interactions and a curve on model 2, team-size band leans on model 1; no way back from 2),
# which only the stored profile knows. So a new version's body loses the model-specific parts before it
# is sent; tests/api covers each of those rules.
def _without_model_parts(body: dict) -> None:
    for name in ("model_version", "interactions", "team_size_curve"):
        body.pop(name, None)
    leans = body.get("leans")
    if isinstance(leans, dict):
        leans.pop("team_size", None)


# A batch whose items hold more than 50 errors in all is refused whole (the error budget): a count
# of errors across items is not something JSON Schema can state. So a JSON batch over the budget
# loses items from its end until it is within it, by the API's own schema; a batch that is
# malformed in itself (a negative test) is left as generated. tests/api covers the rule.
_BATCH = BatchRequestSchema()


def _within_error_budget(body: dict) -> None:
    items = body.get("items")
    while isinstance(items, list) and len(items) > 1:
        try:
            _BATCH.load(body)
            return
        except ValidationError as error:
            if not _only_items_failed(error.messages, len(items)):
                return
        del items[-1]


def _only_items_failed(messages, count: int) -> bool:
    item_errors = messages.get("items") if isinstance(messages, dict) else None
    return set(messages) == {"items"} and isinstance(item_errors, dict) and all(
        isinstance(index, int) and index < count for index in item_errors)


# A CSV batch is a string to JSON Schema; what makes it one is its header row (profile columns,
# each once, the required ones present), which the description states in words. So a CSV body
# that is not a batch gets a valid header row put before it, and a valid last row after it; the
# generated text in between becomes rows, each answered on its own (a bad row spoils only itself).
_HEADER = ",".join(REQUIRED_COLUMNS)
_ROW = "seed,6,low,b2b_saas"


def _as_batch(text: str) -> str:
    try:
        if 1 <= len(read_profiles(text, BATCH_MAX)) <= BATCH_MAX:
            return text
    except HiremixError:
        pass
    lines = text.replace("\x00", "").replace('"', "").splitlines()[:BATCH_MAX - 1]
    return "\r\n".join([_HEADER, *lines, _ROW]) + "\r\n"


# References: a `weight_profile_id` must name one of the caller's profiles (or wp_default), and a
# `weight_profile_version` one of its versions; another is a bad value, 422 `unknown_weight_profile`
# (tests/api covers it). A schema cannot know which ids exist, so a well-formed reference is pointed
# at the built-in profile, version 1. A malformed one (a negative test) is left as generated.
def _name_existing_weights(value) -> None:
    if isinstance(value, dict):
        if _valid("weight_profile_id", value.get("weight_profile_id")):
            value["weight_profile_id"] = "wp_default"
        if _valid("weight_profile_version", value.get("weight_profile_version")):
            value["weight_profile_version"] = 1
        for item in value.values():
            _name_existing_weights(item)
    elif isinstance(value, list):
        for item in value:
            _name_existing_weights(item)


def _valid(name: str, value) -> bool:
    """A value the API's own field accepts (null, which means "not given", is left alone)."""
    if value is None:
        return False
    try:
        _PROFILE_FIELDS[name].deserialize(value)
    except ValidationError:
        return False
    return True


# Thresholds: `lower` must not end up above `upper`, counting the base profile's value for one
# left out. JSON Schema cannot compare two values, so before a request is sent, thresholds given
# out of order are swapped, and a lone threshold gets its partner at the same value. A value
# that breaks the schema (a negative test) still breaks it after this. tests/api covers the rule.
def _order_thresholds(value) -> None:
    if isinstance(value, dict):
        thresholds = value.get("thresholds")
        if isinstance(thresholds, dict):
            numbers = {k: v for k, v in thresholds.items()
                       if k in ("lower", "upper") and isinstance(v, (int, float)) and not isinstance(v, bool)}
            if len(numbers) == 2:
                thresholds["lower"], thresholds["upper"] = sorted(numbers.values())
            elif len(numbers) == 1 and len(thresholds) == 1:
                thresholds["lower"] = thresholds["upper"] = next(iter(numbers.values()))
        for item in value.values():
            _order_thresholds(item)
    elif isinstance(value, list):
        for item in value:
            _order_thresholds(item)

