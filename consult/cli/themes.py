"""`flask --app consult themes recompute [--consultation SLUG] [--background]`: compute the themes
of every recommendation (of one consultation) now, e.g. after a deployment changed the method."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

themes_group = AppGroup("themes", help="Themes found in the approved answers.")


@themes_group.command("recompute")
@click.option("--consultation", "slug", help="Only this consultation (its slug).")
@click.option("--background", is_flag=True, help="Queue the jobs instead of waiting.")
def recompute_command(slug: str | None, background: bool) -> None:
    """Recompute themes; organisers' edits are kept."""
    from consult.core.extensions import db
    from consult.models import Consultation
    from consult.themes.operations import recompute_consultation

    query = sa.select(Consultation).order_by(Consultation.id)
    if slug:
        query = query.where(Consultation.slug == slug)
    consultations = list(db.session.scalars(query))
    if slug and not consultations:
        raise click.ClickException(f"No consultation {slug!r}.")
    for consultation in consultations:
        count = recompute_consultation(consultation.id, background=background)
        db.session.commit()
        done = "queued" if background else "recomputed"
        click.echo(f"{consultation.slug}: {count} recommendation(s) {done}.")
