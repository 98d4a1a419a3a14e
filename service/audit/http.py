"""/v1/audit-events: the tenant's audit log, read-only; one use-case call."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from schemas.audit import AuditEventListQuerySchema, AuditEventPageSchema
from service.audit import log
from service.http import examples
from service.http.apidoc import json_response, problems, query, response
from service.http.security import requires, tenant_id

bp = Blueprint("audit", __name__, url_prefix="/v1/audit-events")

_LINK = {"Link": {"description": 'The next page, `<url>; rel="next"`, while there is one.',
                  "schema": {"type": "string"}}}


@bp.get("", strict_slashes=False)
@requires("audit:read")
@query(AuditEventListQuerySchema())
@response(200, "A page of your audit events, newest first.", schema=AuditEventPageSchema,
          example=examples.audit_event_page_example, headers=_LINK)
@problems(422, 503)
def list_audit_events(params: dict) -> Response:
    """List what your keys (and operators at the command line) changed, newest first.

    One event per change: recommendations stored and deleted, weight
    profiles and their versions, API keys made and revoked, webhook
    endpoints, share links made and revoked. Each names who did it (the
    key's id, or the command line), the action and the object. Filters
    combine with AND. Cursor-paginated: pass `next_cursor` as `cursor`, or
    follow the `Link` header. `admin` keys have the scope too; other keys
    get it only when made with `--scope audit:read`.
    """
    page = log.newest(params, tenant_id(), current_app.extensions["hiremix"].sessions)
    headers = {"Link": f'<{_next_page_url(page.next_cursor)}>; rel="next"'} if page.next_cursor else None
    return json_response({"data": page.events, "has_more": page.next_cursor is not None,
                          "next_cursor": page.next_cursor}, 200, headers)


def _next_page_url(cursor: str) -> str:
    args = request.args.to_dict()
    args["cursor"] = cursor
    return f"{request.base_url}?{urlencode(args)}"
