"""Replay profiles under draft weights and report which recommendations would change. Stores nothing."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from service import weight_profiles
from service.engine import WeightProfile
from service.engine.model import DIGITS, PRODUCT, SOFTWARE, score
from service.recommendations import company_profile
from service.repository import RecommendationRepository

STORED_LIMIT = 1000


def simulate(request: dict, tenant_id: str, sessions: sessionmaker) -> dict:
    """{evaluated, changed, weight_profile, items}: only the profiles whose recommendation changes are listed."""
    if "weight_profile" in request:
        draft = weight_profiles.draft(request["weight_profile"])
    else:
        draft = weight_profiles.resolve(request["weight_profile_id"], request.get("weight_profile_version"),
                                        tenant_id, sessions)
    if "profiles" in request:
        items, evaluated = _supplied(request["profiles"], draft, tenant_id, sessions)
    else:
        items, evaluated = _stored(draft, tenant_id, sessions)
    return {
        "evaluated": evaluated,
        "changed": len(items),
        "weight_profile": _model(draft),
        "items": items,
    }


def _stored(draft: WeightProfile, tenant_id: str, sessions: sessionmaker) -> tuple[list[dict], int]:
    with sessions() as session:
        rows = RecommendationRepository(session, tenant_id).outcomes(STORED_LIMIT)
    items = []
    for rec_id, profile, recommendation, share, profile_id, version, digest in rows:
        after, after_share = score(company_profile(profile), draft)
        if after != recommendation:
            before = _outcome(recommendation, share, {"weight_profile_id": profile_id, "version": version,
                                                      "hash": digest})
            items.append({"id": rec_id, "before": before, "after": _outcome(after, after_share, _model(draft))})
    return items, len(rows)


def _supplied(profiles: list[dict], draft: WeightProfile, tenant_id: str, sessions: sessionmaker):
    weights_of = weight_profiles.resolver(tenant_id, sessions)
    items = []
    for index, profile in enumerate(profiles):
        own = weights_of(profile, pointer=f"/profiles/{index}/weight_profile_id")
        company = company_profile(profile)
        before, before_share = score(company, own)
        after, after_share = score(company, draft)
        if after != before:
            items.append({"index": index, "before": _outcome(before, before_share, _model(own)),
                          "after": _outcome(after, after_share, _model(draft))})
    return items, len(profiles)


def _outcome(recommendation: str, share: float, model: dict) -> dict:
    p = round(share, DIGITS)
    return {"recommendation": recommendation, "scores": {PRODUCT: p, SOFTWARE: round(1.0 - p, DIGITS)},
            "model": model}


def _model(weights: WeightProfile) -> dict:
    if weights.id == "draft":
        return {"weight_profile_id": None, "version": None, "hash": weights.hash}
    return {"weight_profile_id": weights.id, "version": weights.version, "hash": weights.hash}
