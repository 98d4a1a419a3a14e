"""Use cases of recommendations: preview, create, fetch, list, delete, and the current answer of a requisition.

Each function owns its transaction. Stored recommendations keep the exact JSON
text first returned, so a later change of code or weights never rewrites an
answer a caller already has.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.orm import sessionmaker

from schemas.profile import CompanyProfileSchema
from schemas.recommendation import RecommendationPreviewSchema, RecommendationSchema
from schemas.serializer import compile_dump
from service import idempotency, weight_profiles
from service.audit import log as audit
from service.engine import DEFAULT_WEIGHT_PROFILE, CompanyProfile, WeightProfile, evaluate
from service.engine.counterfactuals import change_note, what_would_change, what_would_change_v2
from service.engine.roles import growth_engineering, role_profiles, role_profiles_v2
from service.engine.writeback import note_text, scorecard, scorecard_for
from service.errors import HiremixError, NotFound
from service.ids import new_id
from service.json_text import to_json
from service.orm import RecommendationRecord
from service.paging import decode_position, encode_position, rfc3339
from service.repository import ListFilter, Position, RecommendationRepository
from service.webhooks import outbox

# The documents' schemas, dumped by functions derived from their fields (schemas/serializer.py):
# the same dicts as Schema.dump, several times faster.
_STORED = compile_dump(RecommendationSchema())
_PREVIEW = compile_dump(RecommendationPreviewSchema())
_PROFILE = compile_dump(CompanyProfileSchema())  # dumps `profile` as the stored document holds it
_FILTERS = ("recommendation", "stage", "business_model", "external_id", "created_after", "created_before", "metadata",
            "current")


@dataclass(frozen=True)
class Created:
    id: str
    body: str  # the JSON text returned now and on every later GET
    recommendation: str


@dataclass(frozen=True)
class Page:
    bodies: list[str]
    next_cursor: str | None


def preview(profile: dict, tenant_id: str, sessions: sessionmaker) -> dict:
    """Evaluate a profile without storing it."""
    return describe(profile, _weights(profile, tenant_id, sessions))


def describe(profile: dict, weights: WeightProfile = DEFAULT_WEIGHT_PROFILE) -> dict:
    """The preview document of a profile under known weights (no database involved)."""
    return _PREVIEW(document_fields(profile, weights))


def create(profile: dict, tenant_id: str, sessions: sessionmaker, *, key_id: str | None = None) -> Created:
    """Evaluate a profile and store the answer for `tenant_id`; `key_id` is who asked (for the audit log)."""
    created, row = _prepare(profile, _weights(profile, tenant_id, sessions), tenant_id)
    with sessions.begin() as session:
        RecommendationRepository(session, tenant_id).insert([row])
        _stored(session, [row], tenant_id, key_id)
    return created


def _stored(session, rows: list[dict], tenant_id: str, key_id: str | None) -> None:
    """What storing answers sets off, in the same transaction: audit events and `recommendation.created`."""
    # No external id or other content in the details: a deletion must leave no copy of the answer behind.
    audit.record_each(session, tenant_id=tenant_id, key_id=key_id, action="recommendation.created",
                      subject_type="recommendation", subjects=[(row["id"], row["created_at"]) for row in rows])
    endpoints = outbox.subscribers(session, tenant_id, "recommendation.created")
    for row in rows if endpoints else ():
        outbox.emit(session, tenant_id=tenant_id, event_type="recommendation.created", data=row["document"],
                    subject_id=row["id"], endpoints=endpoints)


def create_many(items: list[dict | HiremixError], tenant_id: str, sessions: sessionmaker, *,
                key_id: str | None = None) -> list[Created | HiremixError]:
    """Evaluate every valid item and store them in one transaction (one INSERT per table); errors pass through
    in place."""
    results: list[Created | HiremixError] = []
    rows = []
    weights_of = weight_profiles.resolver(tenant_id, sessions)
    for item in items:
        if isinstance(item, HiremixError):
            results.append(item)
            continue
        try:
            created, row = _prepare(item, weights_of(item), tenant_id)
        except HiremixError as error:
            results.append(error)
            continue
        results.append(created)
        rows.append(row)
    if rows:
        with sessions.begin() as session:
            RecommendationRepository(session, tenant_id).insert(rows)
            _stored(session, rows, tenant_id, key_id)
    return results


def stored_row(document: dict, tenant_id: str, created_at: dt.datetime) -> dict:
    """The columns that store `document` for `tenant_id`: its body as served, and the columns lists filter on."""
    return {
        "id": document["id"],
        "tenant_id": tenant_id,
        "created_at": created_at,
        "recommendation": document["recommendation"],
        "stage": document["profile"]["stage"],
        "business_model": document["profile"]["business_model"],
        "external_id": document["profile"]["external_id"],
        "product_engineer_share": document["scores"]["product_engineers"],
        "weight_profile_id": document["model"]["weight_profile_id"],
        "model_version": document["model"]["version"],
        "model_hash": document["model"]["hash"],
        "profile": document["profile"],
        "document": to_json(document),
    }


def stored_record(document: dict, tenant_id: str, created_at: dt.datetime) -> RecommendationRecord:
    """`stored_row` as a record (fixtures build stored answers so)."""
    return RecommendationRecord(**stored_row(document, tenant_id, created_at))


def _prepare(profile: dict, weights: WeightProfile, tenant_id: str, *, fields: dict | None = None,
             created_at: dt.datetime | None = None) -> tuple[Created, dict]:
    created_at = created_at or dt.datetime.now(dt.timezone.utc)
    recommendation_id = new_id("rec")
    document = _STORED(
        {"id": recommendation_id, "created_at": rfc3339(created_at), **(fields or document_fields(profile, weights))}
    )
    row = stored_row(document, tenant_id, created_at)
    return Created(recommendation_id, row["document"], document["recommendation"]), row


def answer_requisition(external_id: str, profile: dict, tenant_id: str, sessions: sessionmaker, *,
                       key_id: str | None = None) -> tuple[Created, bool]:
    """Make `profile` the current answer of the requisition `external_id`: (the answer, whether it is new).

    The current answer is the newest one stored with that external id. When evaluating `profile` gives the
    very profile the current answer holds (with the same weight profile version and metadata), nothing is
    stored and the current answer is returned as it is; otherwise a new answer is stored, after the current
    one, which stays as history.
    """
    profile = {**profile, "external_id": external_id}
    weights = _weights(profile, tenant_id, sessions)
    fields = document_fields(profile, weights)
    with sessions.begin() as session:
        repository = RecommendationRepository(session, tenant_id)
        repository.lock_requisition(external_id)
        current = repository.current(external_id)
        created_at = dt.datetime.now(dt.timezone.utc)
        if current is not None:
            if current.profile == _PROFILE(fields["profile"]):
                return Created(current.id, current.document, current.recommendation), False
            # Newer than the current answer even when this server's clock is behind the one that stored it.
            created_at = max(created_at, current.created_at + dt.timedelta(microseconds=1))
        created, row = _prepare(profile, weights, tenant_id, fields=fields, created_at=created_at)
        repository.insert([row])
        _stored(session, [row], tenant_id, key_id)
    return created, True


def current_answer(external_id: str, tenant_id: str, sessions: sessionmaker) -> str:
    """The stored body of a requisition's current answer (its newest), exactly as first returned."""
    with sessions() as session:
        record = RecommendationRepository(session, tenant_id).current(external_id)
        if record is None:
            raise NotFound("No recommendation is stored for this requisition.")
        return record.document


def fetch(recommendation_id: str, tenant_id: str, sessions: sessionmaker) -> str:
    """The stored body of one of the tenant's recommendations, exactly as first returned."""
    with sessions() as session:
        body = RecommendationRepository(session, tenant_id).document(recommendation_id)
    if body is None:
        raise _not_found(recommendation_id)
    return body


def remove(recommendation_id: str, tenant_id: str, sessions: sessionmaker, *, key_id: str | None = None) -> None:
    """Erase one of the tenant's recommendations for good, with every event that carried it.

    Webhook events about it that were queued or kept are erased too, and so are answers kept for
    Idempotency-Key replays that hold it (a create's, or a batch's that stored it), so its body leaves no
    copy behind; `recommendation.deleted` carries only the id, and its audit events hold nothing else.
    """
    with sessions.begin() as session:
        if not RecommendationRepository(session, tenant_id).delete(recommendation_id):
            raise _not_found(recommendation_id)
        outbox.forget_subject(session, tenant_id, recommendation_id)
        idempotency.forget_answers_naming(session, tenant_id, recommendation_id)
        audit.record(session, tenant_id=tenant_id, key_id=key_id, action="recommendation.deleted",
                     subject_type="recommendation", subject_id=recommendation_id)
        outbox.emit(session, tenant_id=tenant_id, event_type="recommendation.deleted", data={"id": recommendation_id},
                    subject_id=recommendation_id)


def newest(query: dict, tenant_id: str, sessions: sessionmaker) -> Page:
    """One page of the tenant's stored recommendations, newest first, filtered."""
    limit = query["limit"]
    after = decode_cursor(query["cursor"]) if "cursor" in query else None
    with sessions() as session:
        rows = RecommendationRepository(session, tenant_id).newest(_filters(query), after, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(Position(created_at=rows[-1][1], id=rows[-1][0])) if has_more else None
    return Page(bodies=[row[2] for row in rows], next_cursor=next_cursor)


def every(query: dict, tenant_id: str, sessions: sessionmaker, *, chunk: int = 500) -> Iterator[dict]:
    """Every matching recommendation of the tenant as a document, newest first, read in chunks.

    The first chunk is read now, before anything is sent: a database that is
    down then gives a 503 rather than a broken stream.
    """
    filters = _filters(query)

    def read(after: Position | None) -> list:
        with sessions() as session:
            return RecommendationRepository(session, tenant_id).newest(filters, after, chunk)

    def documents(rows: list) -> Iterator[dict]:
        while True:
            for _id, _created_at, body in rows:
                yield json.loads(body)
            if len(rows) < chunk:
                return
            rows = read(Position(created_at=rows[-1][1], id=rows[-1][0]))

    return documents(read(None))


def _filters(query: dict) -> ListFilter:
    return ListFilter(**{name: query.get(name) for name in _FILTERS})


def _weights(profile: dict, tenant_id: str, sessions: sessionmaker) -> WeightProfile:
    """The weights a profile names (the built-in ones when it names none)."""
    return weight_profiles.resolve(profile.get("weight_profile_id"), profile.get("weight_profile_version"),
                                   tenant_id, sessions)


def encode_cursor(position: Position) -> str:
    return encode_position(position.created_at, position.id)


def decode_cursor(cursor: str) -> Position:
    created_at, recommendation_id = decode_position(cursor, "rec_")
    return Position(created_at=created_at, id=recommendation_id)


def company_profile(profile: dict) -> CompanyProfile:
    """What the engine weighs, from a loaded (or stored) profile."""
    return CompanyProfile(
        stage=profile["stage"],
        team_size=profile["team_size"],
        product_complexity=profile["product_complexity"],
        business_model=profile["business_model"],
        priorities=tuple(profile.get("priorities") or ()),
        customer_access=profile.get("customer_access"),
        planned_hires=profile.get("planned_hires"),
        company_name=profile.get("company_name"),
    )


def document_fields(profile: dict, weights: WeightProfile) -> dict:
    """The fields of a result document, before a schema dumps them."""
    company = company_profile(profile)
    evaluation = evaluate(company, weights)
    understood = {
        "stage": company.stage,
        "team_size": company.team_size,
        "product_complexity": company.product_complexity,
        "business_model": company.business_model,
        "priorities": list(company.priorities),
        "customer_access": company.customer_access,
        "planned_hires": company.planned_hires,
        "company_name": company.company_name,
        "external_id": profile.get("external_id"),
        "weight_profile_id": weights.id,
        "weight_profile_version": weights.version,
        "metadata": dict(sorted((profile.get("metadata") or {}).items())),
    }
    growth = growth_engineering(company)
    fields = {
        "profile": understood,
        "recommendation": evaluation.recommendation,
        "scores": evaluation.scores,
        "confidence": evaluation.confidence,
        "margin": evaluation.margin,
        "headcount": evaluation.headcount,
        "factors": evaluation.factors,
        "summary": evaluation.summary,
        "model": evaluation.model,
        "growth_engineering": growth,
        "note_text": note_text(company, evaluation, growth),
    }
    if weights.model_version == 1:
        fields.update(what_would_change=what_would_change(company, weights),
                      role_profiles=role_profiles(company, evaluation.recommendation),
                      scorecard=scorecard(evaluation.factors))
        return fields
    singles, pair = what_would_change_v2(company, weights)
    fields.update(
        interactions=evaluation.interactions,
        what_would_change=singles,
        what_would_change_pair=pair,
        what_would_change_note=change_note(singles, pair),
        role_profiles=role_profiles_v2(company, evaluation.recommendation, evaluation.headcount,
                                       lambda role: scorecard_for(evaluation.factors, role)),
        scorecard=scorecard_for(evaluation.factors),
    )
    return fields


def _not_found(recommendation_id: str) -> NotFound:
    return NotFound(f"No recommendation '{recommendation_id}'.")
