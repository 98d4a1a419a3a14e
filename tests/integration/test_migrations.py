"""Alembic migrations build exactly the schema the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from service import create_app, keys
from service.cli import alembic_config
from service.db import make_engine
from service.orm import Base


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(url)
    assert "recommendations" not in inspect(engine).get_table_names()
    command.upgrade(config, "head")
    assert "recommendations" in inspect(engine).get_table_names()
    engine.dispose()


def test_flask_db_upgrade_command_creates_the_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app({"DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    assert {"recommendations", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


def test_recommendations_stored_before_tenancy_go_to_one_tenant(tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO recommendations (id, created_at, recommendation, stage, business_model, "
            "product_engineer_share, weight_profile_id, model_version, model_hash, profile, document) VALUES "
            "('rec_old', '2026-11-01 12:00:00', 'both', 'seed', 'b2b_saas', 0.5, 'wp_default', 1, 'sha256:x', "
            "'{}', '{}')"))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        [(tenant_id, name)] = connection.execute(text("SELECT id, name FROM tenants")).all()
        assert connection.execute(text("SELECT tenant_id FROM recommendations")).scalar_one() == tenant_id
    assert name == "pre-tenancy recommendations"
    engine.dispose()


def test_keys_with_the_old_default_scopes_gain_the_weight_profile_scopes(tmp_path):
    url = f"sqlite:///{tmp_path / 'scopes.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('ten_a', 'a', '2026-11-01')"))
        for key_id, scopes in (("key_default", "recommendations:read recommendations:write"),
                               ("key_reader", "recommendations:read")):
            connection.execute(text(
                "INSERT INTO api_keys (id, tenant_id, name, secret_hash, hint, scopes, created_at) VALUES "
                f"('{key_id}', 'ten_a', 'k', '{key_id}', 'h', '{scopes}', '2026-11-01')"))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        scopes = dict(connection.execute(text("SELECT id, scopes FROM api_keys")).all())
    assert scopes["key_default"].split() == list(keys.DEFAULT_SCOPES)
    assert scopes["key_reader"] == "recommendations:read"
    engine.dispose()


def test_weight_profile_versions_made_before_model_2_keep_deciding_with_model_1(tmp_path):
    import json

    from service import weight_profiles
    from service.db import make_sessions
    from service.engine.weights import MODEL_V1, derive

    url = f"sqlite:///{tmp_path / 'models.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = make_engine(url)
    old = derive(MODEL_V1, id="wp_old", version=1, leans={"priorities": {"security": -1.0}})
    canonical = old.canonical()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('ten_a', 'a', '2026-11-01')"))
        connection.execute(text("INSERT INTO weight_profiles (id, tenant_id, created_at, latest_version) VALUES "
                                "('wp_old', 'ten_a', '2026-11-01', 1)"))
        connection.execute(text(
            "INSERT INTO weight_profile_versions (weight_profile_id, version, name, created_at, weights, leans, "
            "threshold_lower, threshold_upper, hash) VALUES ('wp_old', 1, 'old', '2026-11-01', :weights, :leans, "
            "0.4, 0.6, :hash)"), {"weights": json.dumps(canonical["weights"]), "leans": json.dumps(canonical["leans"]),
                                   "hash": old.hash})
    command.upgrade(config, "head")
    resolved = weight_profiles.resolve("wp_old", None, "ten_a", make_sessions(engine))
    assert (resolved.model_version, resolved.hash) == (1, old.hash)
    engine.dispose()


def test_keys_with_the_old_default_scopes_gain_webhooks_manage_and_nobody_gains_audit_read(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0004")
    engine = make_engine(url)
    before = {
        "key_default": "recommendations:read recommendations:write weight_profiles:read weight_profiles:write",
        "key_narrow": "recommendations:read weight_profiles:read",
        "key_admin": "admin",
    }
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('ten_a', 'a', '2026-11-01')"))
        for key_id, scopes in before.items():
            connection.execute(text(
                "INSERT INTO api_keys (id, tenant_id, name, secret_hash, hint, scopes, created_at) VALUES "
                "(:id, 'ten_a', 'k', :id, 'h', :scopes, '2026-11-01')"), {"id": key_id, "scopes": scopes})

    def scopes() -> dict:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT id, scopes FROM api_keys")).all())

    command.upgrade(config, "head")
    after = scopes()
    assert after["key_default"] == before["key_default"] + " webhooks:manage"
    assert after["key_default"].split() == list(keys.DEFAULT_SCOPES)
    assert after["key_narrow"] == before["key_narrow"]
    assert after["key_admin"] == "admin"
    assert not any("audit:read" in held.split() for held in after.values())
    command.downgrade(config, "0004")
    assert scopes() == before
    assert not any("webhooks:manage" in held for held in scopes().values())
    engine.dispose()
