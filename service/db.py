"""Database engine and sessions: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

DEFAULT_SQLITE_PATH = Path("var") / "hiremix.db"


def default_database_url() -> str:
    """A SQLite file under var/ in the working directory."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str) -> str:
    """Route plain postgres:// and postgresql:// URLs to the installed psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, timeout_s: float = 5.0, limit_statements: bool = True) -> Engine:
    """An engine with the per-backend settings hiremix relies on.

    `timeout_s` bounds every wait on the database: connecting, waiting for a
    pooled connection, a statement (PostgreSQL's statement_timeout) and a
    locked SQLite file, so a sick database gives a fast 503, never a hang.
    Migrations pass `limit_statements=False`: a schema change may take long.
    """
    busy_timeout_ms = int(timeout_s * 1000)
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        in_memory = database in (None, "", ":memory:")  # a single shared connection, no pool to wait for
        pooling = {} if in_memory else {"pool_timeout": timeout_s}
        engine = create_engine(url, connect_args={"timeout": timeout_s}, hide_parameters=True, **pooling)
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": max(1, round(timeout_s)),
            # A peer that vanishes without closing (a network partition) is noticed by TCP itself:
            # unacknowledged sends give up after the timeout, idle connections are probed.
            "tcp_user_timeout": busy_timeout_ms,
            "keepalives": 1,
            "keepalives_idle": max(1, round(timeout_s)),
            "keepalives_interval": 1,
            "keepalives_count": 3,
        }
        if limit_statements:
            given = parsed.query.get("options", "")  # keep options from the URL, such as a search_path
            given = " ".join(given) if isinstance(given, tuple) else given
            limits = f"-c statement_timeout={busy_timeout_ms} -c lock_timeout={busy_timeout_ms}"
            connect_args["options"] = f"{given} {limits}".strip()
    # hide_parameters: a logged database error must never carry a key hash or a stored body.
    return create_engine(url, pool_pre_ping=True, pool_timeout=timeout_s, connect_args=connect_args,
                         hide_parameters=True)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets readers and one writer work at once across gunicorn workers.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def make_sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def insert_rows(session, table, rows: list[dict]) -> None:
    """Insert `rows` into `table` as one multi-row INSERT (up to 1,000 rows a statement), compiled once per
    table and cached: SQLAlchemy's "insertmanyvalues", which it uses for an executemany with RETURNING.
    (`insert(table).values(rows)` would compile a new statement on every call.)"""
    session.execute(insert(table).returning(*table.primary_key.columns), rows)
