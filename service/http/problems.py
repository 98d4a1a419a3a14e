"""Every error as application/problem+json (RFC 9457), mapped in one place."""

from __future__ import annotations

import json
import logging
import re
import uuid

from flask import Flask, Response, g, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from schemas.fields import ERROR_BUDGET
from service.errors import HiremixError

PROBLEM_JSON = "application/problem+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
log = logging.getLogger("hiremix")

# Problem types the API answers with: code -> (status, title, description, example detail)
PROBLEM_TYPES = {
    "malformed_json": (400, "Malformed JSON", "The body is not UTF-8 JSON, is empty, or repeats a key.",
                       "The body is not valid JSON: Expecting value at line 1 column 1."),
    "malformed_csv": (400, "Malformed CSV", "The CSV body is not text in its declared charset, or not CSV.",
                      "The CSV cannot be read: unexpected end of data (an unclosed quote?)."),
    "bad_request": (400, "Bad request", "The request could not be understood as sent.",
                    "The browser (or proxy) sent a request that this server could not understand."),
    "unsupported_version": (400, "Unsupported version", "The Hiremix-Version header names a version this server "
                                                        "does not serve; the detail lists those it does.",
                            "The Hiremix-Version header names no version this server serves; it serves "
                            "2026-11-26, 2026-11-28."),
    "unauthenticated": (401, "Unauthenticated", "No API key was sent, or the key is unknown or revoked.",
                        "Send an API key: 'Authorization: Bearer <key>', or HTTP Basic with the key as the user name."),
    "insufficient_scope": (403, "Insufficient scope", "The API key is valid but lacks the scope this operation needs.",
                           "This API key lacks the scope 'recommendations:write' that this operation needs."),
    "not_found": (404, "Not found", "Nothing exists at this path (or the id is unknown).",
                  "No recommendation 'rec_01jdk5m7c2v8q4x6r9t3w0y1zz'."),
    "method_not_allowed": (405, "Method not allowed", "The path exists but not with this method.",
                           "PUT is not allowed on /v1/recommendations; allowed: GET, POST."),
    "idempotency_key_in_use": (409, "Idempotency key in use",
                              "A request with this Idempotency-Key is still being answered; retry shortly.",
                              "A request with this Idempotency-Key is still being answered; retry in a moment."),
    "version_conflict": (409, "Version conflict",
                         "Other versions of the weight profile are being added at the same moment; retry shortly.",
                         "Other versions of this weight profile are being added right now; retry in a moment."),
    "endpoint_disabled": (409, "Endpoint disabled", "The webhook endpoint is disabled, so nothing is sent to it; "
                                                    "enable it first.",
                          "This webhook endpoint is disabled; enable it first (PATCH with enabled: true)."),
    "payload_too_large": (413, "Payload too large", "The body is larger than this operation accepts (its request "
                                                    "body's description gives the limit).",
                          "The request body is larger than the limit of 1048576 bytes."),
    "unsupported_media_type": (415, "Unsupported media type", "The body must be JSON (or CSV where an operation says so).",
                               "Send the body as application/json; the Content-Type was text/plain."),
    "validation_failed": (422, "Validation failed", "Well-formed JSON whose values are wrong; see `errors`.",
                          "2 fields did not validate: /stage, /team_size."),
    "idempotency_key_reused": (422, "Idempotency key reused",
                              "The Idempotency-Key was first used with a different request; use a new key.",
                              "This Idempotency-Key was already used with a different request; use a new key for a "
                              "new request."),
    "rate_limited": (429, "Too many requests", "The API key has used up its rate limit; wait Retry-After seconds.",
                     "More than 600 per 1 minute with this API key; retry after 12 seconds."),
    "internal_error": (500, "Internal server error", "A bug on our side; quote the request id.",
                       "Something went wrong on our side. Quote request id 4f1c2a when reporting it."),
    "database_unavailable": (503, "Database unavailable", "The database cannot be reached; retry after Retry-After.",
                             "The database cannot be reached right now; try again shortly."),
    "service_unavailable": (503, "Service unavailable",
                            "The proxy in front of hiremix (deploy/nginx.conf.template) got no answer from it; retry "
                            "after Retry-After.", "hiremix is not answering right now; try again shortly."),
}
# Stable codes for the HTTP errors werkzeug raises itself.
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
               429: "rate_limited"}


class MalformedJson(HiremixError):
    status = 400
    code = "malformed_json"


class UnsupportedMediaType(HiremixError):
    status = 415
    code = "unsupported_media_type"
    headers = {"Accept": "application/json"}


class DatabaseUnavailable(HiremixError):
    status = 503
    code = "database_unavailable"
    headers = {"Retry-After": "5"}


def problem_type(code: str) -> str:
    """The problem type URI; resolves to a description of the code."""
    return f"/problems/{code}"


def request_id() -> str:
    """The caller's X-Request-Id when it is sane, otherwise a new one."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    return g.request_id


def problem(status: int, code: str, detail: str, *, errors=None, headers=None) -> Response:
    """A problem+json response; the title is the registered one of `code`."""
    body = problem_body(status, code, detail, errors=errors)
    # ASCII escapes: an error about odd input must never fail on that input itself.
    text = json.dumps(body, separators=(",", ":"))
    return Response(text, status=status, mimetype=PROBLEM_JSON, headers=headers)


def problem_body(status: int, code: str, detail: str, *, errors=None) -> dict:
    """The fields of a problem: also what a batch answers for each refused item."""
    known = PROBLEM_TYPES.get(code)
    body = {
        "type": problem_type(code),
        "title": known[1] if known else HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        "request_id": request_id(),
    }
    if errors is not None:
        body["errors"] = errors[:ERROR_BUDGET]
        if len(errors) > ERROR_BUDGET:
            body["errors_omitted"] = len(errors) - ERROR_BUDGET
    return body


def register(app: Flask) -> None:
    """Install the error handlers and the request id on an app."""

    @app.before_request
    def _assign_request_id():
        request_id()

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = request_id()
        return response

    @app.errorhandler(HiremixError)
    def _domain_error(error: HiremixError):
        return problem(error.status, error.code, error.detail, errors=error.errors, headers=error.headers)

    app.register_error_handler(HTTPException, http_problem)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def _database_error(error: Exception):
        if _missing_schema(error):
            log.error("database not migrated (request %s): %s", request_id(), error)
            return _domain_error(DatabaseUnavailable("The database is not ready: its migrations have not been applied."))
        if not transient(error):  # an SQL bug of ours, not an outage
            return _unexpected(error)
        log.error("database unavailable (request %s): %s", request_id(), error.__class__.__name__, exc_info=error)
        return _domain_error(DatabaseUnavailable("The database cannot be reached right now; try again shortly."))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error (request %s)", request_id(), exc_info=error)
        return problem(
            500,
            "internal_error",
            f"Something went wrong on our side. Quote request id {request_id()} when reporting it.",
        )


def http_problem(error: HTTPException):
    """An HTTP-level refusal (404, 405, 413, 429...) as a problem."""
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
    code = _HTTP_CODES.get(status) or re.sub(r"\W+", "_", (error.name or "error").lower()).strip("_")
    return problem(status, code, _detail(error), headers=headers)


# SQLSTATEs of a database that is down, overloaded, read-only (a standby or a failover
# in progress), or that gave up waiting: a retry later can succeed.
_TRANSIENT_CLASSES = ("08", "53", "57")
_TRANSIENT_STATES = {"25006", "55P03", "40001", "40P01"}


def transient(error: Exception) -> bool:
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    return state in _TRANSIENT_STATES or state[:2] in _TRANSIENT_CLASSES


def _missing_schema(error: Exception) -> bool:
    """True when a table is missing: SQLite says so in words, PostgreSQL with SQLSTATE 42P01."""
    cause = getattr(error, "orig", None)
    return getattr(cause, "sqlstate", None) == "42P01" or "no such table" in str(cause)


def _detail(error: HTTPException) -> str:
    if error.code == 404:
        return f"Nothing at {request.path}."
    if error.code == 405:
        allowed = ", ".join(sorted(set(error.valid_methods or []) - {"HEAD", "OPTIONS"}))
        return f"{request.method} is not allowed on {request.path}; allowed: {allowed}."
    if error.code == 413:
        limit = request.max_content_length
        return f"The request body is larger than the limit of {limit} bytes."
    return error.description or error.name
