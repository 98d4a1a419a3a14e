"""The audit log's table: one row per change a tenant's key (or the command line) made."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.orm import Base, UTCDateTime


class AuditEvent(Base):
    """Who did what to which object, and when; written in the transaction of the change itself."""

    __tablename__ = "audit_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    key_id: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: the command line
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_audit_events_tenant_id_occurred_at_id", "tenant_id", "occurred_at", "id"),)
