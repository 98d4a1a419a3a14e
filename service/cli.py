"""Commands on `flask --app service`: database migrations and the OpenAPI file."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Alembic settings for this package's migrations against `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute: a URL in the ini options would be %-interpolated.
    config.attributes["database_url"] = database_url
    return config


def register(app: Flask) -> None:
    db = AppGroup("db", help="Database migrations (Alembic).")

    @db.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision: str) -> None:
        """Apply migrations up to REVISION (default: all)."""
        command.upgrade(alembic_config(_url()), revision)
        click.echo(f"database at {_shown_url()} is at {revision}")

    @db.command("downgrade")
    @click.argument("revision")
    def downgrade(revision: str) -> None:
        """Revert migrations down to REVISION ('base' reverts all)."""
        command.downgrade(alembic_config(_url()), revision)

    @db.command("current")
    def current() -> None:
        """Show the revision the database is at."""
        command.current(alembic_config(_url()))

    @app.cli.command("openapi")
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
    def openapi_command(output: str | None) -> None:
        """Print (or write) the OpenAPI document as YAML."""
        from service.http.openapi import build, to_yaml

        text = to_yaml(build(current_app))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}")
        else:
            click.echo(text, nl=False)

    app.cli.add_command(db)


def _url() -> str:
    return current_app.extensions["hiremix"].settings.database_url


def _shown_url() -> str:
    return current_app.extensions["hiremix"].engine.url.render_as_string(hide_password=True)
