"""The text each approved answer contributes to theme extraction, and the input's fingerprint.

An answer goes in as its translation into the consultation's first working language that has one
(a person's translation before a machine draft), or as its public (redacted) original when it is
written in a working language or nobody has translated it yet; the latter ("untranslated") are
counted so the dashboard can say so. Only approved answers with a public text are read: the
original as written never leaves moderation.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
)

HUMAN = "human"


@dataclass(frozen=True)
class ThemeInput:
    response_id: int
    text: str  # the text the algorithm reads
    language: str | None  # the language of `text`
    translated: bool  # False: the original, in a language that is not a working language
    approved_at: datetime | None
    stance: str | None = None


@dataclass(frozen=True)
class InputSet:
    answers: list[ThemeInput]
    fingerprint: str

    @property
    def untranslated(self) -> int:
        return sum(1 for a in self.answers if not a.translated)


def working_languages(configured: list[str] | None, source_language: str) -> list[str]:
    """The languages organisers read answers in (empty means the source language)."""
    return list(dict.fromkeys(configured or [])) or [source_language]


def best_translation(
    rows: Iterable[ResponseTranslation], wanted: list[str]
) -> ResponseTranslation | None:
    """The translation to read: first working language first; a person's, or a reviewed one,
    before a machine draft."""
    by_language: dict[str, list[ResponseTranslation]] = defaultdict(list)
    for row in rows:
        if row.text and row.text.strip():
            by_language[row.language].append(row)
    for language in wanted:
        candidates = by_language.get(language)
        if candidates:
            return sorted(
                candidates,
                key=lambda t: (t.provenance != HUMAN, not t.reviewed, -t.id),
            )[0]
    return None


def load_inputs(recommendation_id: int) -> InputSet:
    consultation = db.session.execute(
        sa.select(Consultation.working_languages, Consultation.source_language)
        .join(Recommendation, Recommendation.consultation_id == Consultation.id)
        .where(Recommendation.id == recommendation_id)
    ).one_or_none()
    if consultation is None:
        return InputSet([], _digest([]))
    wanted = working_languages(consultation.working_languages, consultation.source_language)
    rows = db.session.execute(
        sa.select(
            Response.id,
            Response.public_text,
            Response.detected_language,
            Response.text_language,
            Response.moderated_at,
            Response.stance,
        )
        .where(
            Response.recommendation_id == recommendation_id,
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
        )
        .order_by(Response.id)
    ).all()
    translations: dict[int, list[ResponseTranslation]] = defaultdict(list)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for t in db.session.scalars(
            sa.select(ResponseTranslation).where(
                ResponseTranslation.response_id.in_(chunk),
                ResponseTranslation.language.in_(wanted),
            )
        ):
            translations[t.response_id].append(t)
    answers = []
    for row in rows:
        if not (row.public_text or "").strip():
            continue
        language = row.detected_language or row.text_language
        chosen = None if language in wanted else best_translation(translations[row.id], wanted)
        if chosen is not None:
            answers.append(
                ThemeInput(row.id, chosen.text, chosen.language, True, row.moderated_at, row.stance)
            )
        else:
            answers.append(
                ThemeInput(
                    row.id,
                    row.public_text,
                    language,
                    language in wanted,
                    row.moderated_at,
                    row.stance,
                )
            )
    return InputSet(answers, _digest(answers))


def _digest(answers: list[ThemeInput]) -> str:
    h = hashlib.sha256()
    for a in answers:
        h.update(f"{a.response_id}\x1f{a.stance}\x1f{a.language}\x1f{a.text}\x1e".encode())
    return h.hexdigest()
