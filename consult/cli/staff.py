"""`flask --app consult create-staff`: staff accounts from the command line."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from consult.core.extensions import db
from consult.vocab import Role


@click.command("create-staff")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(Role.values()),
    help="A role; repeat for several.",
)
@with_appcontext
def create_staff_command(email: str, roles: tuple[str, ...]) -> None:
    """Create a staff account. The password comes from a prompt, or from CONSULT_STAFF_PASSWORD for
    scripts: never from the command line, where other users and the shell history could see it."""
    from consult.staff.accounts.operations import AccountError, create_staff

    password = os.environ.get("CONSULT_STAFF_PASSWORD") or click.prompt(
        "Password (12+ characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_staff(email, password, list(roles))
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(user.roles)}.")
