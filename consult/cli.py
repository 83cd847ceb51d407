"""Flask commands: `flask --app consult load-demo`, `purge-drafts`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from consult.extensions import db


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Create (or bring up to date) the demo consultation. Running it twice changes nothing."""
    from consult.demo import load_demo

    report = load_demo()
    db.session.commit()
    if report.changed:
        click.echo(
            f"Demo consultation: {len(report.created)} created, {len(report.updated)} updated."
        )
    else:
        click.echo("Demo consultation already up to date; nothing changed.")


@click.command("purge-drafts")
@with_appcontext
def purge_drafts_command() -> None:
    """Delete drafts that were never submitted and whose 48 hours have passed."""
    from consult.participation import purge_expired_drafts

    count = purge_expired_drafts()
    db.session.commit()
    click.echo(f"Purged {count} expired draft(s).")


def register(app: Flask) -> None:
    for command in (load_demo_command, purge_drafts_command):
        app.cli.add_command(command)
