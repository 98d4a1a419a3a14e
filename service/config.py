"""Settings from the environment (or a mapping, in tests), with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from service.db import default_database_url

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class ConfigurationError(ValueError):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_body_bytes: int

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None) -> "Settings":
        """Settings from `overrides`, then the environment, then defaults."""
        source = {**os.environ, **(overrides or {})}
        return cls(
            database_url=str(source.get("DATABASE_URL") or default_database_url()),
            max_body_bytes=_positive_int(source, "HIREMIX_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        )


def _positive_int(source: Mapping[str, object], name: str, default: int) -> int:
    raw = source.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a whole number of bytes, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, got {raw!r}")
    return value
