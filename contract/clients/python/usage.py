"""What an integrator writes against the Python client that openapi-python-client generates from openapi.yaml
(`hiremix_client`): create, page through the list, handle a 422 through the problem's `errors`, read a
document stored by the first release, revalidate it with its ETag. Checked with `mypy --strict` and run
against a live server by tests/e2e/test_real_clients.py.

    HIREMIX_URL=... HIREMIX_KEY=... HIREMIX_OLD_IDS=rec_...,rec_... python usage.py
"""

from __future__ import annotations

import os
import sys
import uuid
from http import HTTPStatus

from hiremix_client import AuthenticatedClient
from hiremix_client.api.recommendations import (
    create_recommendation,
    get_recommendation,
    list_recommendations,
    preview_recommendation,
)
from hiremix_client.models import (
    ApiVersion,
    BusinessModel,
    CompanyProfile,
    Problem,
    ProductComplexity,
    Recommendation,
    RecommendationPage,
    Stage,
    Verdict,
)
from hiremix_client.types import UNSET


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"python client: {message}", file=sys.stderr)
        sys.exit(1)


def main() -> None:
    old_ids = [part for part in os.environ.get("HIREMIX_OLD_IDS", "").split(",") if part]
    with AuthenticatedClient(base_url=os.environ["HIREMIX_URL"], token=os.environ["HIREMIX_KEY"]) as client:
        # Create, with an Idempotency-Key of its own.
        profile = CompanyProfile(stage=Stage.SEED, team_size=6, product_complexity=ProductComplexity.LOW,
                                 business_model=BusinessModel.B2B_SAAS, planned_hires=4, external_id="REQ-PY")
        created = create_recommendation.sync_detailed(client=client, body=profile,
                                                      idempotency_key=str(uuid.uuid4()))
        check(created.status_code == HTTPStatus.CREATED, f"create answered {created.status_code}")
        check(isinstance(created.parsed, Recommendation), "create did not parse as a Recommendation")
        assert isinstance(created.parsed, Recommendation)
        made: Recommendation = created.parsed
        check(made.recommendation is Verdict.PRODUCT_ENGINEERS, f"verdict {made.recommendation}")
        check(created.headers.get("Location") == f"/v1/recommendations/{made.id}", "Location")
        check(bool(created.headers.get("Hiremix-Version")), "no Hiremix-Version")

        # Page through the list, feeding next_cursor straight back as cursor.
        seen: list[str] = []
        page = list_recommendations.sync(client=client, limit=2)
        while True:
            check(isinstance(page, RecommendationPage), f"a page did not parse: {page!r}")
            assert isinstance(page, RecommendationPage)
            seen.extend(item.id for item in page.data)
            if not page.has_more:
                break
            page = list_recommendations.sync(client=client, limit=2, cursor=page.next_cursor)
        check(len(seen) == len(set(seen)), "an id was listed twice")
        check(made.id in seen and set(old_ids) <= set(seen), f"missing from the list: {seen}")

        # Pin the contract version this program was written against: a typed header parameter.
        pinned = preview_recommendation.sync_detailed(client=client, body=profile, hiremix_version=ApiVersion.VALUE_0)
        check(pinned.status_code == HTTPStatus.OK, f"a pinned preview answered {pinned.status_code}")
        check(pinned.headers.get("Hiremix-Version") == ApiVersion.VALUE_0.value, "the pin was not followed")

        # A 422, read through the problem's errors.
        refused = preview_recommendation.sync(client=client, body=CompanyProfile(
            stage=Stage.SEED, team_size=-1, product_complexity=ProductComplexity.LOW,
            business_model=BusinessModel.B2B_SAAS))
        check(isinstance(refused, Problem), f"an invalid profile was not a problem: {refused!r}")
        assert isinstance(refused, Problem)
        check(refused.code == "validation_failed", refused.code)
        pointers = [error.pointer for error in refused.errors] if refused.errors else []
        check("/team_size" in pointers, f"pointers {pointers}")

        # A document stored by the first release: the fields added since are simply unset.
        for old_id in old_ids:
            old = get_recommendation.sync_detailed(old_id, client=client)
            check(isinstance(old.parsed, Recommendation), f"{old_id} did not parse: {old.content[:200]!r}")
            assert isinstance(old.parsed, Recommendation)
            check(len(old.parsed.factors) > 0, "no factors")
            etag = old.headers.get("ETag")
            check(etag is not None, "no ETag")
            again = get_recommendation.sync_detailed(old_id, client=client, if_none_match=etag or UNSET)
            check(again.status_code == HTTPStatus.NOT_MODIFIED, f"If-None-Match answered {again.status_code}")
        first = get_recommendation.sync(old_ids[0], client=client) if old_ids else None
        check(isinstance(first, Recommendation), "the first old document did not parse")
        assert isinstance(first, Recommendation)
        check(first.what_would_change is UNSET and first.note_text is UNSET, "the first release had no decision aids")
        print(f"python client: ok ({len(seen)} recommendations listed)")


if __name__ == "__main__":
    main()
