"""`flask --app service webhooks ...`: the delivery worker, and re-encrypting secrets after a key change."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

group = AppGroup("webhooks", help="Webhook deliveries.")


@group.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron-like runs and tests).")
def work(once: bool) -> None:
    """Send due deliveries and retry failed ones until stopped (SIGTERM finishes the delivery in hand).

    Run as many as you like, on any machines sharing the database: a delivery is claimed by one worker at a time.
    """
    from service.webhooks.worker import Worker

    _log_to_stderr()
    runtime = current_app.extensions["hiremix"]
    worker = Worker(runtime.settings, runtime.sessions)
    if once:
        total = 0
        while (done := worker.work_once()):
            total += done
        click.echo(f"attempted {total} deliveries")
        return
    worker.run()


@group.command("reencrypt")
def reencrypt() -> None:
    """Re-encrypt every signing secret with the first of HIREMIX_ENCRYPTION_KEYS (then drop the old key)."""
    from service.webhooks.crypto import SecretBox
    from service.webhooks.tables import WebhookEndpoint

    runtime = current_app.extensions["hiremix"]
    box = SecretBox(runtime.settings.encryption_keys)
    with runtime.sessions.begin() as session:
        endpoints = session.execute(select(WebhookEndpoint)).scalars().all()
        for endpoint in endpoints:
            endpoint.secret_encrypted = box.reseal(endpoint.secret_encrypted)
            if endpoint.previous_secret_encrypted:
                endpoint.previous_secret_encrypted = box.reseal(endpoint.previous_secret_encrypted)
    click.echo(f"re-encrypted the secrets of {len(endpoints)} endpoints")


def _log_to_stderr() -> None:
    logger = logging.getLogger("hiremix.webhooks")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
