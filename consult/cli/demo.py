"""`flask --app consult load-demo`: the demo consultation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.core.extensions import db


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Create (or bring up to date) the demo consultation. Running it twice changes nothing."""
    from consult.consultations.demo import load_demo

    report = load_demo()
    db.session.commit()
    if report.changed:
        click.echo(
            f"Demo consultation: {len(report.created)} created, {len(report.updated)} updated."
        )
    else:
        click.echo("Demo consultation already up to date; nothing changed.")
