"""Machine drafts of approved answers, for the translators' desk.

When a moderator approves an answer, `queue_machine_translation` queues `translate_response`
(through `consult.jobs`, once the approval is committed). The job sends the answer's public text
(the redacted version when there is one; never the original) to the configured provider, into
each working language of the consultation that differs from the answer's language and has no
human translation yet, and stores each draft as a ResponseTranslation with provenance
"machine:<provider>", not reviewed. Only approved answers ever leave the database: the job checks
the state again when it runs, so an answer rejected or escalated meanwhile is not sent.

A provider that is down, slow or answers garbage raises: nothing is stored for that answer (all
its languages or none), the answer stays in the desk queue untranslated, and the job system tries
again (RQ: 3 retries with backoff); `requeue_missing` queues again whatever still lacks a
translation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask, current_app

from consult import jobs
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import Consultation, ModerationState, Recommendation, Response
from consult.models.moderation import ResponseTranslation
from consult.translation.providers import provider_from_config

log = logging.getLogger(__name__)

HUMAN = "human"
JOB = "consult.translation.machine.translate_response"


def machine_provenance(provider_name: str) -> str:
    return f"machine:{provider_name}"


def answer_language(response: Response) -> str | None:
    """The language the answer is written in: the detected one, else the one declared."""
    return response.detected_language or response.text_language


def translate_response(response_id: int) -> None:
    """The job: machine drafts of one approved answer into its consultation's working languages."""
    provider = provider_from_config(current_app.config)
    if provider is None:
        return
    response = db.session.get(Response, response_id)
    if response is None or response.moderation_state != ModerationState.APPROVED:
        return  # deleted, or never approved: nothing is sent anywhere
    public = response.public_text
    source = answer_language(response)
    if not public or not source:
        log.info("answer %s has no public text or no language: no machine draft", response_id)
        return
    consultation = response.recommendation.consultation
    existing = {
        (t.language, t.provenance): t
        for t in db.session.scalars(
            sa.select(ResponseTranslation).where(ResponseTranslation.response_id == response_id)
        )
    }
    settled = {language for (language, provenance), t in existing.items() if provenance == HUMAN}
    settled |= {language for (language, _), t in existing.items() if t.reviewed}
    provenance = machine_provenance(provider.name)
    # Every language first, then store: a failure in the middle leaves nothing half-done.
    drafts: dict[str, str] = {}
    for target in dict.fromkeys(consultation.working_languages):
        if target == source or target in settled:
            continue
        if not provider.supports(source, target):
            log.info("%s cannot translate %s into %s (answer %s)", provider.name, source, target,
                     response_id)  # fmt: skip
            continue
        drafts[target] = provider.translate(public, source, target)
    for target, text in drafts.items():
        row = existing.get((target, provenance))
        if row is None:
            db.session.add(
                ResponseTranslation(
                    response_id=response_id,
                    language=target,
                    text=text,
                    provenance=provenance,
                    reviewed=False,
                )
            )
        else:  # an older draft of the same provider: replaced
            row.text, row.created_at, row.reviewed = text, utcnow(), False
    db.session.flush()


def queue_machine_translation(response: Response) -> None:
    """After an approval: draft the answer's translations in the background, once the approval is
    committed. Nothing with the manual provider."""
    if (current_app.config.get("CONSULT_TRANSLATION_PROVIDER") or "manual") == "manual":
        return
    jobs.enqueue_after_commit(JOB, response.id)


def responses_missing_translation() -> Iterator[int]:
    """Ids of approved answers lacking a translation (human or machine) into at least one working
    language of their consultation other than their own; read in batches by id."""
    after = 0
    while True:
        rows = db.session.execute(
            sa.select(
                Response.id,
                Response.detected_language,
                Response.text_language,
                Consultation.working_languages,
            )
            .join(Recommendation, Response.recommendation_id == Recommendation.id)
            .join(Consultation, Recommendation.consultation_id == Consultation.id)
            .where(
                Response.moderation_state == ModerationState.APPROVED,
                Response.public_text.is_not(None),
                Response.id > after,
            )
            .order_by(Response.id)
            .limit(500)
        ).all()
        if not rows:
            return
        have: dict[int, set[str]] = {}
        for response_id, language in db.session.execute(
            sa.select(ResponseTranslation.response_id, ResponseTranslation.language).where(
                ResponseTranslation.response_id.in_([row.id for row in rows])
            )
        ):
            have.setdefault(response_id, set()).add(language)
        for row in rows:
            source = row.detected_language or row.text_language
            wanted = {lang for lang in row.working_languages or [] if lang != source}
            if source and wanted - have.get(row.id, set()):
                yield row.id
        after = rows[-1].id


def requeue_missing() -> int:
    """Queue the machine translation of every approved answer that still lacks one; the count."""
    ids = list(responses_missing_translation())
    for response_id in ids:
        jobs.enqueue(JOB, response_id)
    return len(ids)


def init_machine_translation(app: Flask) -> None:
    """At app start: approvals queue machine drafts (moderation does not import translation)."""
    from consult.moderation import operations

    jobs.init_jobs(app)
    if queue_machine_translation not in operations.on_approved:
        operations.on_approved.append(queue_machine_translation)
