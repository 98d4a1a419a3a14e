"""Fixtures: an app per database backend, a clean database per test."""

from __future__ import annotations

import os

import pytest
from alembic import command
from sqlalchemy import delete, text

from service import create_app
from service.cli import alembic_config
from service.db import make_engine
from service import keys
from service.orm import Base

PG_URL = os.environ.get("TEST_DATABASE_URL")
# Production settings need a key that encrypts webhook secrets; every app and server the tests start (they inherit
# the environment) gets this one. tests/api/test_webhook_endpoints.py checks production refuses to start without.
TEST_ENCRYPTION_KEY = "dGVzdHMtb2YtaGlyZW1peC1lbmNyeXB0aW9uLWtleTA="
os.environ.setdefault("HIREMIX_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEY)
# Likewise the secret that signs the console's forms (tests/api/test_console_pages.py checks production needs one).
os.environ.setdefault("HIREMIX_SECRET_KEY", "tests-of-hiremix-console-secret-key-0123456789")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_sessionstart(session):
    if IN_CI and not PG_URL:
        pytest.exit("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests would not run", returncode=3)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated database: a fresh SQLite file, or the wiped TEST_DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'hiremix.db'}"
    else:
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        url = PG_URL
        engine = make_engine(url)
        with engine.begin() as connection:  # the test database is ours to wipe
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    engine = app.extensions["hiremix"].engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):  # children before the rows they point at
            connection.execute(delete(table))
    engine.dispose()



@pytest.fixture
def sessions(app):
    return app.extensions["hiremix"].sessions


@pytest.fixture
def new_key(sessions):
    """Create a key: new_key(name=..., tenant=..., scopes=(...)) -> the key itself."""

    def _new_key(name: str = "tests", **options) -> str:
        return keys.create_key(sessions, name=name, **options).secret

    return _new_key


@pytest.fixture
def api_key(new_key) -> str:
    return new_key("tenant a")


def keyed_client(app, key: str):
    """A test client of `app` that sends `key` as a Bearer token on every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.fixture
def client(app, api_key):
    """A test client that sends the tenant's key on every request."""
    return keyed_client(app, api_key)


@pytest.fixture
def anonymous(app):
    """A test client that sends no key."""
    return app.test_client()

