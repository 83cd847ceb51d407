"""`flask --app consult purge-drafts`: drafts that were never submitted."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.core.database import scrub_deleted_rows
from consult.core.extensions import db


@click.command("purge-drafts")
@with_appcontext
def purge_drafts_command() -> None:
    """Delete drafts that were never submitted and have expired; audited with the count.

    A draft expires CONSULT_DRAFT_LIFETIME_HOURS (48 by default) after its last change. The deleted
    text is then scrubbed from the database's files (see scrub_deleted_rows).
    """
    from consult.participation.operations import purge_expired_drafts

    count = purge_expired_drafts(by="purge-drafts")
    db.session.commit()
    if count:
        scrub_deleted_rows()
    click.echo(f"Purged {count} expired draft(s).")
