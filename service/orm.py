"""Database tables (SQLAlchemy 2.x declarative). Migrations live in service/migrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every backend and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware datetimes")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class RecommendationRecord(Base):
    """A stored recommendation: the profile, the exact body returned, and its model."""

    __tablename__ = "recommendations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    recommendation: Mapped[str] = mapped_column(String(32), nullable=False)
    stage: Mapped[str] = mapped_column(String(32), nullable=False)
    business_model: Mapped[str] = mapped_column(String(32), nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    product_engineer_share: Mapped[float] = mapped_column(Float, nullable=False)
    weight_profile_id: Mapped[str] = mapped_column(String(64), nullable=False)
    model_version: Mapped[int] = mapped_column(Integer, nullable=False)
    model_hash: Mapped[str] = mapped_column(String(80), nullable=False)
    profile: Mapped[dict] = mapped_column(JSON, nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    # The rows of its `metadata`, written with it (after it: they name it); the database erases them with it.
    metadata_entries: Mapped[list[RecommendationMetadataRecord]] = relationship(
        cascade="save-update", passive_deletes=True, lazy="raise")

    __table_args__ = (
        Index("ix_recommendations_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        Index("ix_recommendations_tenant_id_recommendation_created_at", "tenant_id", "recommendation", "created_at"),
        Index("ix_recommendations_tenant_id_stage_created_at", "tenant_id", "stage", "created_at"),
        Index("ix_recommendations_tenant_id_business_model_created_at", "tenant_id", "business_model", "created_at"),
        # A requisition's answers, newest first: the current one is the newest (migration 0005).
        Index("ix_recommendations_tenant_id_external_id_created_at_id", "tenant_id", "external_id", "created_at",
              "id"),
    )


class RecommendationMetadataRecord(Base):
    """One `metadata` key of a stored recommendation, kept apart so that `metadata[key]=value` finds it."""

    __tablename__ = "recommendation_metadata"

    recommendation_id: Mapped[str] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str] = mapped_column(String(500), nullable=False)

    __table_args__ = (Index("ix_recommendation_metadata_tenant_id_key_value", "tenant_id", "key", "value"),)


class Tenant(Base):
    """A customer of the API; every stored object belongs to exactly one."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class ApiKey(Base):
    """An API key: only its SHA-256 is kept; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    hint: Mapped[str] = mapped_column(String(32), nullable=False)
    scopes: Mapped[str] = mapped_column(String(200), nullable=False)  # space-separated
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class IdempotencyRecord(Base):
    """The first response to a POST with an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "idempotency_records"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claim: Mapped[str] = mapped_column(String(32), nullable=False)  # random, per attempt
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    request: Mapped[str] = mapped_column(String(300), nullable=False)  # "POST /v1/recommendations"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    # Empty while the first request is still being answered.
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    location: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)


class WeightProfileRecord(Base):
    """A tenant's weight profile: its versions live in weight_profile_versions."""

    __tablename__ = "weight_profiles"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    latest_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_weight_profiles_tenant_id_created_at_id", "tenant_id", "created_at", "id"),)


class WeightProfileVersionRecord(Base):
    """One immutable version: nothing ever updates a row of this table."""

    __tablename__ = "weight_profile_versions"

    weight_profile_id: Mapped[str] = mapped_column(
        ForeignKey("weight_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    weights: Mapped[dict] = mapped_column(JSON, nullable=False)
    leans: Mapped[dict] = mapped_column(JSON, nullable=False)
    threshold_lower: Mapped[float] = mapped_column(Float, nullable=False)
    threshold_upper: Mapped[float] = mapped_column(Float, nullable=False)
    hash: Mapped[str] = mapped_column(String(80), nullable=False)
    # The model the version was made on (migration 0004): it keeps deciding with that model.
    combination: Mapped[str] = mapped_column(String(40), nullable=False, server_default="logistic-additive-v1")
    interactions: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # model 2 only
    team_size_midpoint: Mapped[float | None] = mapped_column(Float, nullable=True)  # model 2 only
    team_size_steepness: Mapped[float | None] = mapped_column(Float, nullable=True)  # model 2 only
    # The integrator's own keys (migration 0005), per version so a version's document never changes; a new
    # version keeps its predecessor's unless given its own. `metadata` is SQLAlchemy's, hence the attribute name.
    metadata_: Mapped[dict | None] = mapped_column("metadata", JSON, nullable=True)


# The tables of the packages built on these (imported here so that Base.metadata, and so Alembic, knows them all).
from service.audit import tables as _audit_tables  # noqa: E402,F401
from service.sharing import tables as _sharing_tables  # noqa: E402,F401
from service.webhooks import tables as _webhook_tables  # noqa: E402,F401
from service.web import tables as _console_tables  # noqa: E402,F401
