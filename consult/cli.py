"""Flask commands: `flask --app consult load-demo`, `purge-drafts`."""

from __future__ import annotations

import os

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


@click.command("create-staff")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["admin", "organiser", "moderator", "translator"]),
    help="A role; repeat for several.",
)
@with_appcontext
def create_staff_command(email: str, roles: tuple[str, ...]) -> None:
    """Create a staff account. The password comes from a prompt, or from CONSULT_STAFF_PASSWORD for
    scripts: never from the command line, where other users and the shell history could see it."""
    from consult.staff.accounts import AccountError, create_staff

    password = os.environ.get("CONSULT_STAFF_PASSWORD") or click.prompt(
        "Password (12+ characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_staff(email, password, list(roles))
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(user.roles)}.")


def register(app: Flask) -> None:
    for command in (load_demo_command, purge_drafts_command, create_staff_command):
        app.cli.add_command(command)
