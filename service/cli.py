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
    app.cli.add_command(_keys_group())
    from service.webhooks.cli import group as webhooks_group

    app.cli.add_command(webhooks_group)

    @app.cli.command("purge-idempotency")
    def purge_idempotency() -> None:
        """Delete idempotency records older than 24 hours."""
        from service import idempotency

        click.echo(f"deleted {idempotency.purge(_sessions())} expired idempotency records")


def _keys_group() -> AppGroup:
    from service import keys

    group = AppGroup("keys", help="API keys and their tenants.")

    @group.command("create")
    @click.option("--name", required=True, help="Who or what the key is for; also the new tenant's name.")
    @click.option("--tenant", help="Give the key to this existing tenant (id or name) instead of a new one.")
    @click.option("--scope", "scopes", multiple=True, type=click.Choice(keys.SCOPES),
                  help="Repeat for several; default: every scope but audit:read and admin.")
    def create(name: str, tenant: str | None, scopes: tuple[str, ...]) -> None:
        """Create a key; it is printed once, alone on the last line."""
        try:
            new = keys.create_key(_sessions(), name=name, tenant=tenant, scopes=scopes, live=_production())
        except keys.KeyCommandError as error:
            raise click.ClickException(str(error)) from None
        info = new.info
        click.echo(f"created key {info.id} for tenant {info.tenant_id} ({info.tenant_name}); "
                   f"scopes: {' '.join(info.scopes)}", err=True)
        click.echo("store it now: it is shown only once and cannot be recovered", err=True)
        click.echo(new.secret)

    @group.command("list")
    def list_() -> None:
        """List keys (never the keys themselves: only their first and last characters)."""
        rows = keys.list_keys(_sessions())
        if not rows:
            click.echo("no keys yet; create one with: flask --app service keys create --name NAME")
            return
        click.echo(f"{'id':31} {'tenant':31} {'name':20} {'key':17} {'status':8} scopes")
        for info in rows:
            status = "revoked" if info.revoked_at else "active"
            click.echo(f"{info.id:31} {info.tenant_id:31} {info.name[:20]:20} {info.hint:17} {status:8} "
                       f"{' '.join(info.scopes)}")

    @group.command("revoke")
    @click.argument("key_id")
    def revoke(key_id: str) -> None:
        """Revoke KEY_ID for good: it gets 401 from then on."""
        try:
            info = keys.revoke(key_id, _sessions())
        except keys.KeyCommandError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"revoked {info.id} ({info.name}, tenant {info.tenant_id})")

    @group.command("bootstrap")
    def bootstrap() -> None:
        """Development only: when no active key exists, create one and print it once."""
        if _production():
            raise click.ClickException("HIREMIX_ENV=production: create keys explicitly with `keys create`")
        if keys.has_active_key(_sessions()):
            click.echo("API keys exist already; `flask --app service keys create --name NAME` makes another")
            return
        new = keys.create_key(_sessions(), name="development")
        click.echo("")
        click.echo("  A development API key was created. It is shown this once; copy it now:")
        click.echo("")
        click.echo(f"    export HIREMIX_KEY={new.secret}")
        click.echo("")

    return group


def _sessions():
    return current_app.extensions["hiremix"].sessions


def _production() -> bool:
    return current_app.extensions["hiremix"].settings.production


def _url() -> str:
    return current_app.extensions["hiremix"].settings.database_url


def _shown_url() -> str:
    return current_app.extensions["hiremix"].engine.url.render_as_string(hide_password=True)
