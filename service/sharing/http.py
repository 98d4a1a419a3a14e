"""Share links: /v1 operations to make, list and revoke them (with a key), and /s/<token>, the page a link
opens (without one). Thin views, one use-case call each."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, url_for
from werkzeug.routing import BaseConverter

from schemas.sharing import (
    NewShareLinkSchema,
    ShareLinkCreateSchema,
    ShareLinkListQuerySchema,
    ShareLinkPageSchema,
)
from service.http import examples, result_page
from service.http.apidoc import (
    HTML,
    NEXT_PAGE_HEADER,
    PROFILE_BODY_MAX,
    body,
    json_response,
    page_response,
    problems,
    query,
    response,
)
from service.http.security import key_id, public_page, requires, tenant_id
from service.ids import SHARE_LINK_ID
from service.sharing import links

bp = Blueprint("share_links", __name__)
page_bp = Blueprint("shared", __name__, template_folder="templates")

READ = "recommendations:read"
WRITE = "recommendations:write"
_LOCATION = {"Location": {"description": "Path of the new share link: DELETE it to revoke the link.",
                          "schema": {"type": "string"}}}
_THIS_LINK = {"share_link_id": "$response.body#/id"}
# What a shared page's answer must never let happen: kept by a cache, indexed, or its address sent on as a Referer.
PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


_NEW_LINK = NewShareLinkSchema()


class ShareLinkIdConverter(BaseConverter):
    regex = SHARE_LINK_ID


def _sessions():
    return current_app.extensions["hiremix"].sessions


@bp.post("/v1/recommendations/<recommendation_id:id>/share-links")
@requires(WRITE)
@body(ShareLinkCreateSchema(), examples=examples.SHARE_LINK_EXAMPLES, max_bytes=PROFILE_BODY_MAX, optional=True)
@response(201, "Made: its `url` is shown this once.", schema=NewShareLinkSchema,
          example=examples.new_share_link_example, headers=_LOCATION,
          links={"RevokeShareLink": ("revoke_share_link", _THIS_LINK),
                 "ListShareLinks": ("list_share_links", {"id": "$response.body#/recommendation_id"})})
@problems(404, 413, 415, 422, 503)
def create_share_link(data: dict, id: str) -> Response:
    """Make a link that opens a recommendation's page without a key.

    Anyone who has the `url` can read the recommendation's page, without a
    key, until the link expires (after `expires_in_days`, 30 by default, 90
    at most) or you revoke it. The page leaves out your `external_id`, your
    metadata and the names of your weight profiles. The `url` is shown only
    in this answer: hiremix keeps just a hash of it, so a lost link cannot
    be shown again; make another. The body may be left out.
    """
    made = links.create(id, data.get("expires_in_days"), tenant_id(), _sessions(), key_id=key_id())
    url = url_for("shared.shared_page", token=made.token, _external=True)
    return json_response(_NEW_LINK.dump({**made.document, "url": url}), 201,
                         {"Location": url_for("share_links.revoke_share_link", share_link_id=made.document["id"])})


@bp.get("/v1/recommendations/<recommendation_id:id>/share-links")
@requires(READ)
@query(ShareLinkListQuerySchema())
@response(200, "A page of the recommendation's share links, newest first.", schema=ShareLinkPageSchema,
          example=examples.share_link_page_example, headers=NEXT_PAGE_HEADER)
@problems(404, 422, 503)
def list_share_links(params: dict, id: str) -> Response:
    """List a recommendation's share links, newest first.

    Revoked and expired links are listed too (until 30 days after they
    ended). Links are never shown with their `url`. Cursor-paginated: pass
    `next_cursor` as `cursor`, or follow the `Link` header.
    """
    page = links.newest(id, params, tenant_id(), _sessions())
    return page_response(page.documents, page.next_cursor)


@bp.delete("/v1/share-links/<share_link_id:share_link_id>")
@requires(WRITE)
@response(204, "Revoked: the link opens nothing any more (also when it already did not).")
@problems(404, 503)
def revoke_share_link(share_link_id: str) -> Response:
    """Revoke a share link for good.

    Its page answers 404 from now on. Revoking a revoked link changes
    nothing and still answers 204. To stop every link of a recommendation
    at once, delete the recommendation.
    """
    links.revoke(share_link_id, tenant_id(), _sessions(), key_id=key_id())
    return Response(status=204)


@page_bp.get("/s/<path:token>")
@public_page
def shared_page(token: str) -> Response:
    """The page a share link opens: the same 404 for a malformed, unknown, expired or revoked token."""
    document = links.open_shared(token, _sessions())
    if document is None:
        return Response(render_template("shared_not_found.html"), 404, mimetype=HTML, headers=PAGE_HEADERS)
    return Response(result_page.render(document), mimetype=HTML, headers=PAGE_HEADERS)

