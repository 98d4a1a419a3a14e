"""What a console form says, as the JSON body the API would take, and the API's errors back onto the form.

The forms only gather; the API's marshmallow schemas decide what is valid (one source of truth), and each
error they give is shown beside the field its pointer names.
"""

from __future__ import annotations

from marshmallow import ValidationError

from schemas import CompanyProfileSchema
from service.engine.wording import FIELDS, label
from service.http.apidoc import invalid

CHOICE_FIELDS = ("stage", "product_complexity", "business_model", "customer_access")
NUMBER_FIELDS = ("team_size", "planned_hires")
TEXT_FIELDS = ("company_name", "external_id")
ERRORS_SHOWN = 20
VALUE_MAX = 1000  # characters of one form value looked at: more than any field takes, so the schema still refuses  # a form has fewer fields than this; a hostile post cannot make the page long
_PROFILE = CompanyProfileSchema()


def number(text: str):
    """A whole number typed in a form, as a number when it is one (else the text, for the schema to refuse)."""
    text = text.strip().replace(",", "").replace("_", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else text


def profile_from(form) -> dict:
    """The body POST /v1/recommendations would take, from the Ask form: empty fields are left out, and each
    value is cut to VALUE_MAX characters before anything looks at it (a hostile post stays cheap)."""
    profile: dict = {}
    for name in CHOICE_FIELDS + TEXT_FIELDS + ("weight_profile_id",):
        value = form.get(name, "")[:VALUE_MAX].strip()
        if value:
            profile[name] = value
    for name in NUMBER_FIELDS:
        value = form.get(name, "")[:VALUE_MAX].strip()
        if value:
            profile[name] = number(value)
    profile["priorities"] = [value[:VALUE_MAX] for value in form.getlist("priorities")[:20] if value]
    return profile


def load_profile(profile: dict) -> tuple[dict | None, dict[str, str]]:
    """(the loaded profile, {}) or (None, {field: message}) as the API's own schema decides."""
    try:
        return _PROFILE.load(profile), {}
    except ValidationError as error:
        return None, field_errors(invalid("body", error.messages).errors)


def profile_field(parts: list[str]) -> str:
    """The Ask form's field a pointer names: /priorities/1 -> priorities, /team_size -> team_size."""
    if parts and parts[0] in FIELDS:
        return parts[0]
    return parts[-1] if parts and not parts[-1].isdigit() else (parts[0] if parts else "form")


def field_errors(errors: list[dict], field_of=profile_field) -> dict[str, str]:
    """{form field: message} from a problem's errors: the first message per field (`field_of` maps a pointer's
    parts to it), a missing profile field's in words, at most ERRORS_SHOWN of them, each cut short."""
    shown: dict[str, str] = {}
    for error in errors[:ERRORS_SHOWN]:
        field = field_of([part for part in error["pointer"].split("/") if part])[:64]
        if field not in shown:
            missing = error["code"] == "required" and field in FIELDS
            shown[field] = (f"{label(field)} is needed." if missing else error["message"])[:300]
    return shown
