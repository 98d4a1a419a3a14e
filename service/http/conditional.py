"""Strong ETags on what never changes (a stored recommendation, the model card, a weight-profile version):
`If-None-Match` with a current tag gives 304 and no body."""

from __future__ import annotations

import hashlib

from flask import Response, request

ETAG_HEADER = {"ETag": {"description": "A strong tag of this body: send it as `If-None-Match` to get 304 while it "
                                       "is unchanged.", "schema": {"type": "string"}}}
IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "The ETag of a copy you hold: 304, with no body, when it is still current.",
    "schema": {"type": "string"},
}


TENANT = "private, no-cache"  # a tenant's answer: out of shared caches, revalidated on every use


def conditional(response: Response, cache_control: str = TENANT) -> Response:
    """Tag `response` by its bytes and answer 304 when the request already holds them."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)
