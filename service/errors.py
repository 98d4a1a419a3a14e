"""Domain exceptions; the HTTP layer maps each to one problem+json answer."""

from __future__ import annotations


class HiremixError(Exception):
    """Base of every error the service raises on purpose."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}

    def __init__(self, detail: str, *, errors: list[dict] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(HiremixError):
    status = 404
    code = "not_found"


class InvalidInput(HiremixError):
    """A well-formed request whose values are wrong; `errors` names the fields."""

    status = 422
    code = "validation_failed"


def field_error(
    pointer: str, code: str, message: str, *, parameter: str | None = None, header: str | None = None
) -> dict:
    """One entry of a problem's `errors` list (`parameter`/`header`: where it was, outside the body)."""
    entry = {"pointer": pointer, "code": code, "message": message}
    if parameter is not None:
        entry["parameter"] = parameter
    if header is not None:
        entry["header"] = header
    return entry
