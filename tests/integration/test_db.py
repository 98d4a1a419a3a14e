"""Engine settings: every wait on the database is bounded."""

import pytest
from sqlalchemy import text

from service.db import make_engine


def test_postgresql_statements_and_locks_are_bounded_and_url_options_kept(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL settings")
    separator = "&" if "?" in database_url else "?"
    engine = make_engine(database_url + separator + "options=-csearch_path%3Dpublic,pg_catalog", timeout_s=1.5)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "1500ms"
        assert connection.execute(text("SHOW search_path")).scalar().replace(" ", "") == "public,pg_catalog"
    engine.dispose()


def test_migrations_are_not_cut_short_by_the_statement_timeout(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL settings")
    engine = make_engine(database_url, limit_statements=False)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
    engine.dispose()


def test_sqlite_waits_for_a_locked_file_as_long_as_the_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}", timeout_s=1.5)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    engine.dispose()
