"""The application factory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from service import cli
from service.config import Settings
from service.db import make_engine, make_sessions
from service.http import openapi, problems
from service.http import recommendations as recommendation_views


@dataclass
class Runtime:
    """What the views share: settings, the database, the built OpenAPI document."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker
    openapi: dict | None = None


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build an app from `config`, then the environment, then safe defaults."""
    settings = Settings.load(config)
    app = Flask("service")
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, TESTING=bool((config or {}).get("TESTING")))
    engine = make_engine(settings.database_url)
    app.extensions["hiremix"] = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine))
    app.url_map.converters["recommendation_id"] = recommendation_views.RecommendationIdConverter
    problems.register(app)
    app.register_blueprint(recommendation_views.bp)
    app.register_blueprint(openapi.bp)
    cli.register(app)
    return app
