"""What a translator does at the desk: save a translation of an answer, or say "I can't read this
language". Both add to the session and flush, never commit, and are audited with ids and languages
only. The answer's original text and public version are never touched.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import Response, ResponseTranslation, StaffUser
from consult.models.moderation import TranslationSkip
from consult.translation.desk_queries import HUMAN, human_translation, machine_draft


class EmptyTranslation(ValueError):
    """A translation with no text cannot be saved."""


def save_translation(
    response: Response, language: str, text: str, translator: StaffUser
) -> ResponseTranslation:
    """Store `text` as the human translation of `response` into `language`.

    There is one human translation per answer and language: saving again updates it, with the new
    translator and time (each save is in the audit log). A machine draft it was made from stays as
    it was, as history. A human translation is reviewed by definition.
    """
    text = text.strip()
    if not text:
        raise EmptyTranslation
    draft = machine_draft(response, language)
    row = human_translation(response, language)
    previous = None
    if row is None:
        row = ResponseTranslation(response_id=response.id, language=language, provenance=HUMAN)
        db.session.add(row)
    else:
        previous = {"translator_id": row.translator_id}
    row.text = text
    row.translator_id = translator.id
    row.created_at = utcnow()
    row.reviewed = True
    db.session.flush()
    audit.record(
        "translation.saved",
        translator,
        object_type="response",
        object_id=response.id,
        old=previous,
        new={
            "language": language,
            "translation_id": row.id,
            "machine_draft": draft.provenance if draft is not None else None,
        },
    )
    return row


def cannot_read(response: Response, language: str, translator: StaffUser) -> None:
    """Record that `translator` cannot read this answer well enough to translate it into
    `language`: the desk stops showing it to them, and still shows it to the others."""
    exists = db.session.scalar(
        sa.select(sa.func.count()).where(
            TranslationSkip.response_id == response.id,
            TranslationSkip.language == language,
            TranslationSkip.staff_user_id == translator.id,
        )
    )
    if not exists:
        db.session.add(
            TranslationSkip(response_id=response.id, language=language, staff_user_id=translator.id)
        )
    db.session.flush()
    audit.record(
        "translation.cannot_read",
        translator,
        object_type="response",
        object_id=response.id,
        new={"language": language},
    )
