"""`flask --app consult purge [--dry-run]`: what the retention promises say must go."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.core.database import scrub_deleted_rows
from consult.core.extensions import db


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete the answers of consultations whose retention period has ended (closing date +
    retention days), expired drafts and orphaned files; audited with the counts.

    Run it daily from cron or a systemd timer. The deleted text is then scrubbed from the
    database's files (see scrub_deleted_rows).
    """
    from consult.outcomes.export_files import expire_export_files
    from consult.retention.operations import purge

    expire_export_files(current_app.instance_path, dry_run=dry_run)  # exports built for a day
    report = purge(Path(current_app.instance_path), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        if report.submissions or report.drafts:
            scrub_deleted_rows()
    verb = "Would delete" if dry_run else "Deleted"
    for item in report.consultations:
        click.echo(
            f"{item.slug}: retention ended {item.deletable_since.isoformat()}: "
            f"{verb.lower()} {item.submissions} submission(s), {item.answers} answer(s)."
        )
    click.echo(
        f"{verb} {report.submissions} submission(s) with {report.answers} answer(s) past "
        f"retention, {report.drafts} expired draft(s), {report.files} orphaned file(s)."
    )
