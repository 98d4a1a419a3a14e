"""Persistence of recommendations behind a narrow interface; the caller owns the session."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from service.db import insert_rows
from service.orm import RecommendationMetadataRecord, RecommendationRecord, Tenant
from service.paging import older_than


@dataclass(frozen=True)
class ListFilter:
    recommendation: str | None = None
    stage: str | None = None
    business_model: str | None = None
    external_id: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    metadata: dict[str, str] | None = None  # every key with exactly its value
    # True: only answers that no newer one with the same external id supersedes; False: only the superseded ones.
    current: bool | None = None


@dataclass(frozen=True)
class Position:
    """Where a page starts: strictly older than this (created_at, id)."""

    created_at: dt.datetime
    id: str


_RECOMMENDATIONS = RecommendationRecord.__table__
_METADATA = RecommendationMetadataRecord.__table__


class RecommendationRepository:
    """One tenant's recommendations: every query is scoped to `tenant_id`."""

    def __init__(self, session: Session, tenant_id: str):
        self.session = session
        self.tenant_id = tenant_id

    def add(self, record: RecommendationRecord) -> None:
        """Store one recommendation built as a record (fixtures and tests build them so)."""
        self.insert([{column.key: getattr(record, column.key) for column in _RECOMMENDATIONS.columns}])

    def insert(self, rows: list[dict]) -> None:
        """Store recommendations given as column values, with their metadata rows (searchable with
        metadata[key]=value): one multi-row INSERT for the rows and one for their metadata, however many."""
        if any(row["tenant_id"] != self.tenant_id for row in rows):
            raise ValueError("a recommendation stored through another tenant's repository")
        insert_rows(self.session, _RECOMMENDATIONS, rows)
        entries = [{"recommendation_id": row["id"], "key": key, "tenant_id": self.tenant_id, "value": value}
                   for row in rows for key, value in (row["profile"].get("metadata") or {}).items()]
        if entries:
            insert_rows(self.session, _METADATA, entries)

    def current(self, external_id: str) -> RecommendationRecord | None:
        """The current answer of a requisition: the newest one stored with this external id, or None."""
        table = RecommendationRecord
        query = (
            select(table)
            .where(table.tenant_id == self.tenant_id, table.external_id == external_id)
            .order_by(table.created_at.desc(), table.id.desc())
            .limit(1)
        )
        return self.session.execute(query).scalar_one_or_none()

    def lock_requisition(self, external_id: str) -> None:
        """Make answers to one requisition wait for each other until the transaction ends.

        PostgreSQL: an advisory lock per requisition. SQLite: the database's one write lock, taken now, before
        the current answer is read (a write that changes nothing takes it), so the read sees every answer
        committed before; without it the read runs before the write lock and two PUTs both store."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(
                func.hashtextextended(f"requisition {self.tenant_id} {external_id}", 0))))
        else:
            self.session.execute(update(Tenant).where(Tenant.id == self.tenant_id).values(name=Tenant.name))

    def document(self, recommendation_id: str) -> str | None:
        """The stored body, exactly as first returned, or None."""
        query = select(RecommendationRecord.document).where(
            RecommendationRecord.tenant_id == self.tenant_id, RecommendationRecord.id == recommendation_id
        )
        return self.session.execute(query).scalar_one_or_none()

    def delete(self, recommendation_id: str) -> bool:
        query = delete(RecommendationRecord).where(
            RecommendationRecord.tenant_id == self.tenant_id, RecommendationRecord.id == recommendation_id
        )
        return self.session.execute(query).rowcount > 0

    def outcomes(self, limit: int) -> list:
        """The newest `limit` rows as (id, profile, recommendation, share, weight_profile_id, version, hash)."""
        table = RecommendationRecord
        query = (
            select(table.id, table.profile, table.recommendation, table.product_engineer_share,
                   table.weight_profile_id, table.model_version, table.model_hash)
            .where(table.tenant_id == self.tenant_id)
            .order_by(table.created_at.desc(), table.id.desc())
            .limit(limit)
        )
        return list(self.session.execute(query))

    def newest(self, filters: ListFilter, after: Position | None, limit: int) -> list[tuple[str, dt.datetime, str]]:
        """Up to `limit` (id, created_at, document) rows, newest first, past `after`."""
        equal = tuple(name for name in _EQUAL if getattr(filters, name) is not None)
        metadata = list((filters.metadata or {}).items())
        statement = _newest(equal, filters.created_after is not None, filters.created_before is not None,
                            len(metadata), filters.current, after is not None)
        values = {"tenant_id": self.tenant_id, "limit": limit, "created_after": filters.created_after,
                  "created_before": filters.created_before,
                  "after_at": after.created_at if after else None, "after_id": after.id if after else None}
        values.update((name, getattr(filters, name)) for name in equal)
        for n, (key, value) in enumerate(metadata):
            values[f"metadata_key_{n}"], values[f"metadata_value_{n}"] = key, value
        return [tuple(row) for row in self.session.execute(statement, values)]


_EQUAL = ("recommendation", "stage", "business_model", "external_id")


@functools.lru_cache(maxsize=256)
def _newest(equal: tuple[str, ...], after_a_time: bool, before_a_time: bool, metadata_keys: int,
            current: bool | None, after_a_row: bool):
    """The list's query for one combination of filters, built once, with every value a bound parameter:
    building a statement costs more than running it on a page of 20."""
    table = RecommendationRecord
    query = select(table.id, table.created_at, table.document).where(table.tenant_id == bindparam("tenant_id"))
    for name in equal:
        query = query.where(getattr(table, name) == bindparam(name))
    if after_a_time:
        query = query.where(table.created_at > bindparam("created_after", type_=table.created_at.type))
    if before_a_time:
        query = query.where(table.created_at < bindparam("created_before", type_=table.created_at.type))
    meta = RecommendationMetadataRecord
    for n in range(metadata_keys):
        query = query.where(exists().where(meta.recommendation_id == table.id, meta.tenant_id == table.tenant_id,
                                           meta.key == bindparam(f"metadata_key_{n}"),
                                           meta.value == bindparam(f"metadata_value_{n}")))
    if current is not None:
        newer = aliased(table)
        superseded = exists().where(
            newer.tenant_id == table.tenant_id,
            newer.external_id == table.external_id,  # never true without an external id
            older_than(table.created_at, table.id, newer.created_at, newer.id),
        )
        query = query.where(~superseded if current else superseded)
    if after_a_row:
        query = query.where(older_than(table.created_at, table.id, bindparam("after_at", type_=table.created_at.type),
                                       bindparam("after_id")))
    return query.order_by(table.created_at.desc(), table.id.desc()).limit(bindparam("limit"))
