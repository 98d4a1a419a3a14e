"""/v1/audit-events: the tenant's audit log, read-only; one use-case call."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from schemas.audit import AuditEventListQuerySchema, AuditEventPageSchema
from service.audit import log
from service.http import examples
from service.http.apidoc import NEXT_PAGE_HEADER, page_response, problems, query, response
from service.http.security import requires, tenant_id

bp = Blueprint("audit", __name__, url_prefix="/v1/audit-events")

@bp.get("", strict_slashes=False)
@requires("audit:read")
@query(AuditEventListQuerySchema())
@response(200, "A page of your audit events, newest first.", schema=AuditEventPageSchema,
          example=examples.audit_event_page_example, headers=NEXT_PAGE_HEADER)
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
    return page_response(page.events, page.next_cursor)

