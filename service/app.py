"""The application factory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from service import cli, housekeeping, keys
from service.config import Settings
from service.db import make_engine, make_sessions
from service.http import (access_log, cors, docs, health, limits, metrics, openapi, page_security, problems, security,
                          versions)
from service.http import recommendations as recommendation_views
from service.http import requisitions as requisition_views
from service.webhooks import http as webhook_views
from service.http import weight_profiles as weight_profile_views
from service.audit import http as audit_views
from service.sharing import http as share_link_views
from service import web

@dataclass
class Runtime:
    """What the views share: settings, the database, the built OpenAPI document."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker
    key_cache: keys.KeyCache
    refusals: limits.RefusalBudget
    openapi: dict | None = None


class _Flask(Flask):
    """Flask, with `ensure_sync` remembered per function: Flask asks `inspect.iscoroutinefunction` of every
    hook on every request (about fifteen a request here), and the answer never changes."""

    _REMEMBERED = 512  # hooks and views: a few dozen; a function made per request is never remembered past this

    def ensure_sync(self, func):
        remembered = self.__dict__.setdefault("_sync", {})
        try:
            return remembered[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(remembered) < self._REMEMBERED:
                remembered[func] = made
            return made
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build an app from `config`, then the environment, then safe defaults."""
    settings = Settings.load(config)
    app = _Flask("service")
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, TESTING=bool((config or {}).get("TESTING")))
    engine = make_engine(settings.database_url, timeout_s=settings.database_timeout_s)
    app.extensions["hiremix"] = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine),
                                        key_cache=keys.KeyCache(settings.key_cache_s),
                                        refusals=limits.RefusalBudget(settings))
    app.url_map.converters["recommendation_id"] = recommendation_views.RecommendationIdConverter
    app.url_map.converters["weight_profile_id"] = weight_profile_views.WeightProfileIdConverter
    app.url_map.converters["share_link_id"] = share_link_views.ShareLinkIdConverter
    app.url_map.converters["endpoint_id"] = webhook_views.EndpointIdConverter
    app.url_map.converters["delivery_id"] = webhook_views.DeliveryIdConverter
    # Hook order matters: request id and clock, then the key, then the rate limit (which counts per key).
    problems.register(app)
    versions.register(app)
    page_security.register(app)
    access_log.register(app, settings.production)
    metrics.register(app)
    security.register(app)
    web.register(app, settings, app.extensions["hiremix"].sessions)  # the console: its key, before the limits
    limits.register(app, settings)
    app.register_blueprint(recommendation_views.bp)
    app.register_blueprint(requisition_views.bp)
    app.register_blueprint(weight_profile_views.model_bp)
    app.register_blueprint(weight_profile_views.bp)
    app.register_blueprint(weight_profile_views.simulations_bp)
    app.register_blueprint(webhook_views.bp)
    app.register_blueprint(share_link_views.bp)
    app.register_blueprint(share_link_views.page_bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(docs.bp)
    cors.register(app, settings.cors_origins)  # after the blueprints: it allows the methods they route
    cli.register(app)
    housekeeping.register(app)
    if settings.proxy_hops:
        # Behind deploy/nginx.conf.template (or any proxy): believe X-Forwarded-For, -Proto and -Host as far
        # as the configured number of hops, never further, so a client cannot claim another address. The
        # port travels in -Host; an X-Forwarded-Port, which the proxy does not set, is never believed.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=0, x_prefix=0)
    return app
