"""Engine settings: every wait on the database is bounded."""

import pytest
from sqlalchemy import text

from service.db import make_engine
from tests.conftest import PG_URL

postgresql = pytest.mark.postgresql


@pytest.fixture
def database_url():
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    return PG_URL


@postgresql
def test_postgresql_statements_and_locks_are_bounded_and_url_options_kept(database_url):
    separator = "&" if "?" in database_url else "?"
    engine = make_engine(database_url + separator + "options=-csearch_path%3Dpublic,pg_catalog", timeout_s=1.5)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "1500ms"
        assert connection.execute(text("SHOW search_path")).scalar().replace(" ", "") == "public,pg_catalog"
    engine.dispose()


@postgresql
def test_migrations_are_not_cut_short_by_the_statement_timeout(database_url):
    engine = make_engine(database_url, limit_statements=False)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
    engine.dispose()


def test_sqlite_waits_for_a_locked_file_as_long_as_the_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}", timeout_s=1.5)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=postgresql)])
def test_database_errors_never_carry_the_bound_values(tmp_path, backend):
    """A logged database error must not show a key hash or a stored body."""
    from sqlalchemy.exc import DBAPIError

    if backend == "postgresql" and not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    engine = make_engine(PG_URL if backend == "postgresql" else f"sqlite:///{tmp_path / 'e.db'}")
    with engine.connect() as connection, pytest.raises(DBAPIError) as caught:
        connection.execute(text("SELECT * FROM no_such_table WHERE secret = :secret"), {"secret": "s3cr3t-hash"})
    assert "s3cr3t-hash" not in str(caught.value)
    engine.dispose()
