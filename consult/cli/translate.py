"""`flask --app consult translate ...`: machine translation from the command line.

`requeue` queues again the machine translation of every approved answer still missing one;
`content SLUG LANG` drafts a consultation's missing texts in LANG; `status` shows what the
configured provider can do.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

translate_group = AppGroup("translate", help="Machine translation.")


@translate_group.command("requeue")
def requeue_command() -> None:
    """Queue machine translation for every approved answer lacking a translation into a working
    language of its consultation (run it after the provider was down; safe to repeat)."""
    from consult.core.extensions import db
    from consult.translation.machine import requeue_missing

    if current_app.config["CONSULT_TRANSLATION_PROVIDER"] == "manual":
        click.echo(
            "Machine translation is off (CONSULT_TRANSLATION_PROVIDER=manual): nothing to do."
        )
        return
    count = requeue_missing()
    db.session.commit()
    where = "queued" if current_app.config.get("CONSULT_REDIS_URL") else "translated in turn"
    click.echo(f"{count} answer(s) lacking a translation {where}.")


@translate_group.command("content")
@click.argument("slug")
@click.argument("language")
@click.option("--background", is_flag=True, help="Queue it as a job instead of waiting.")
def content_command(slug: str, language: str, background: bool) -> None:
    """Draft the consultation SLUG's missing texts in LANGUAGE (status draft, made by the machine),
    for an organiser or translator to review. Existing texts are never changed."""
    from consult import jobs
    from consult.core.extensions import db
    from consult.models import Consultation
    from consult.translation.content import JOB, draft_content_translation
    from consult.translation.providers import TranslationError

    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation {slug!r}.")
    if background:
        outcome = jobs.enqueue(JOB, consultation.id, language)
        click.echo(f"Content drafts for {slug} in {language}: {outcome}.")
        return
    try:
        drafts = draft_content_translation(consultation.id, language)
    except TranslationError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    made = ", ".join(drafts.made) or "nothing (every text exists in this language)"
    click.echo(f"Drafted in {language}: {made}.")
    for reason in drafts.skipped:
        click.echo(f"Not drafted: {reason}")


@translate_group.command("status")
def status_command() -> None:
    """Which provider is configured and which language pairs it can translate now."""
    from consult.translation.providers import provider_status

    click.echo(provider_status(current_app.config))
