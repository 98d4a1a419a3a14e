"""One log line per request, carrying its X-Request-Id (as do all hiremix log lines).

Plain text for people in development; one JSON object per line in production,
for log collectors.
"""

from __future__ import annotations

import logging
import re
import sys

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from service.http import metrics
from service.http.problems import request_id

log = logging.getLogger("hiremix")

# The attribute `security.public_page` sets on a view whose address is its credential (a share link's token):
# its log lines show the route (/s/<path:token>), never the path.
SECRET_IN_PATH = "_secret_in_path"


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(text: str) -> str:
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class ControlCharacterFilter(logging.Filter):
    """Escapes control characters (newlines above all) in the message and every text field of a record,
    so a value a caller chose, such as a path with %0a in it, can never start a forged log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        texts = [value for name, value in vars(record).items() if name != "msg" and isinstance(value, str)]
        if not _CONTROL.search("".join((message, *texts))):  # the usual case: one search, nothing to change
            return True
        if _CONTROL.search(message):
            record.msg, record.args = _escaped(message), None
        for name, value in vars(record).items():
            if name != "msg" and isinstance(value, str) and _CONTROL.search(value):
                setattr(record, name, _escaped(value))
        return True


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, '-' outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else "-"
        return True


def formatter(production: bool) -> logging.Formatter:
    if production:
        return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                             rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter("%(asctime)s %(levelname)s request_id=%(request_id)s %(message)s")


class _Handler(logging.StreamHandler):
    """The one handler hiremix installs (so a second app in one process does not add another).

    It writes to `sys.stderr` as it is when each line is written, not as it was when the first app of the
    process was made: a test runner or a CLI runner swaps sys.stderr for a capture it closes afterwards, and a
    handler holding that closed capture failed every later line. A stream given with `setStream` is kept.
    """

    def __init__(self) -> None:
        self._chosen = None
        super().__init__()

    @property
    def stream(self):
        return sys.stderr if self._chosen is None else self._chosen

    @stream.setter
    def stream(self, value) -> None:
        self._chosen = None if value is sys.stderr else value


def register(app: Flask, production: bool) -> None:
    if not any(isinstance(f, RequestIdFilter) for f in log.filters):
        log.addFilter(RequestIdFilter())
    handler = next((h for h in log.handlers if isinstance(h, _Handler)), None)
    if handler is None:
        handler = _Handler()
        handler.addFilter(ControlCharacterFilter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    handler.setFormatter(formatter(production))

    @app.after_request
    def _log_request(response: Response) -> Response:
        elapsed_ms = (metrics.elapsed() or 0.0) * 1000
        principal = g.get("principal")
        tenant = principal.tenant_id if principal else None
        key_id = principal.key_id if principal else None
        # Never the key, its hash or a body: only ids that are safe to keep in a log store.
        view = app.view_functions.get(request.endpoint or "")
        path = metrics.route() if getattr(view, SECRET_IN_PATH, False) else request.path
        log.info("%s %s %s %.1fms tenant=%s key=%s client=%s", request.method, path, response.status_code,
                 elapsed_ms, tenant or "-", key_id or "-", request.remote_addr or "-",
                 extra={"method": request.method, "route": metrics.route(), "path": path,
                        "status": response.status_code, "duration_ms": round(elapsed_ms, 1), "tenant": tenant,
                        "key_id": key_id, "client_address": request.remote_addr})
        return response
