"""Console sign-ins, kept server-side: the browser holds only a random id (its SHA-256 is the row's key).
Only signed-in sessions have a row; revoking or deleting the key ends them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.orm import Base, UTCDateTime


class ConsoleSession(Base):
    """One browser's session: the key it signed in with (by id, never the key), its CSRF token, its end."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False, index=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
