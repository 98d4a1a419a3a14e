import pytest

from tests.e2e.servers import scratch_postgres, sqlite_env


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend_env(request, tmp_path):
    """A fresh, migrated database of each backend; PostgreSQL gets a database of its own."""
    if request.param == "sqlite":
        yield sqlite_env(tmp_path)
        return
    with scratch_postgres() as env:
        yield env
