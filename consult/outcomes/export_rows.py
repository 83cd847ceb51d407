"""The answers an export holds, read in batches so that a million answers never sit in memory.

What is exported: every submitted answer whose text a moderator approved (with its public, redacted
version) and every answer without text (a stance alone, which needs no moderation). Answers whose
text is waiting, rejected or escalated to safeguarding are left out whole, stance included: their
row would say that someone wrote something nobody may read. The full export (admins only) adds the
original text of the same answers; it never adds other answers.

The answers are read by one statement in id order with `yield_per` (a server-side cursor on
PostgreSQL, SQLite's own stepping cursor), a batch at a time; each batch's translations and groups
are read with one more statement each. Nothing else is held between batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    StaffUser,
    Submission,
    SubmissionGroup,
    SubmissionState,
)
from consult.vocab import Stance

BATCH_SIZE = 1000


@dataclass(frozen=True)
class TranslationCell:
    language: str
    text: str
    # "human" or "machine:<provider>"; `translator` is the person's e-mail for a human one.
    provenance: str
    translator: str | None
    reviewed: bool

    @property
    def made_by(self) -> str:
        """Who or what made it, in one cell: "human:ana@example.org", "machine:argos (draft)"."""
        who = self.provenance
        if self.provenance == "human" and self.translator:
            who = f"human:{self.translator}"
        if not self.reviewed and self.provenance != "human":
            who += " (draft)"
        return who

    @property
    def rank(self) -> tuple[int, int]:
        """Which translation a one-column-per-language file shows: a person's before a machine's,
        a reviewed one before a draft."""
        return (self.provenance == "human", self.reviewed)


@dataclass
class ExportRow:
    answer_id: int
    recommendation_key: str
    recommendation_position: int
    stance: str
    language: str | None  # the interface language the participant wrote in
    detected_language: str | None
    public_text: str | None
    original_text: str | None  # only in the full export
    stage: str | None
    age_band: str | None
    groups_declined: bool
    submitted_on: date | None
    channel: str
    groups: list[str] = field(default_factory=list)
    translations: list[TranslationCell] = field(default_factory=list)

    def best_translation(self, language: str) -> TranslationCell | None:
        found = [t for t in self.translations if t.language == language]
        return max(found, key=lambda t: t.rank) if found else None

    @property
    def groups_cell(self) -> str:
        if self.groups_declined:
            return "prefer_not"
        return ";".join(self.groups)


def exported_answers() -> sa.ColumnElement[bool]:
    """The answers any export may hold (see the module's docstring)."""
    return sa.and_(
        Submission.state == SubmissionState.SUBMITTED,
        sa.or_(
            sa.and_(
                Response.moderation_state == ModerationState.APPROVED,
                Response.public_text.is_not(None),
            ),
            sa.and_(Response.moderation_state.is_(None), Response.stance != Stance.SKIPPED),
        ),
    )


def _answers_statement(consultation: Consultation, full: bool) -> sa.Select:
    columns = [
        Response.id,
        Recommendation.key,
        Recommendation.position,
        Response.stance,
        Response.text_language,
        Response.detected_language,
        Response.public_text,
        Response.text if full else sa.null(),
        Submission.stage,
        Submission.age_band,
        Submission.groups_declined,
        Submission.submitted_on,
        Submission.channel,
        Submission.id,
    ]
    return (
        sa.select(*columns)
        .join(Recommendation, Response.recommendation_id == Recommendation.id)
        .join(Submission, Response.submission_id == Submission.id)
        .where(Recommendation.consultation_id == consultation.id, exported_answers())
        .order_by(Response.id)
    )


def count_answers(consultation: Consultation) -> int:
    statement = (
        sa.select(sa.func.count(Response.id))
        .join(Recommendation, Response.recommendation_id == Recommendation.id)
        .join(Submission, Response.submission_id == Submission.id)
        .where(Recommendation.consultation_id == consultation.id, exported_answers())
    )
    return db.session.scalar(statement) or 0


def translation_languages(consultation: Consultation) -> list[str]:
    """The languages the exported answers have translations in (a column pair for each)."""
    statement = (
        sa.select(ResponseTranslation.language)
        .join(Response, ResponseTranslation.response_id == Response.id)
        .join(Recommendation, Response.recommendation_id == Recommendation.id)
        .join(Submission, Response.submission_id == Submission.id)
        .where(Recommendation.consultation_id == consultation.id, exported_answers())
        .distinct()
    )
    return sorted(db.session.scalars(statement))


def _translations(response_ids: list[int]) -> dict[int, list[TranslationCell]]:
    rows = db.session.execute(
        sa.select(
            ResponseTranslation.response_id,
            ResponseTranslation.language,
            ResponseTranslation.text,
            ResponseTranslation.provenance,
            StaffUser.email,
            ResponseTranslation.reviewed,
        )
        .outerjoin(StaffUser, ResponseTranslation.translator_id == StaffUser.id)
        .where(ResponseTranslation.response_id.in_(response_ids))
        .order_by(ResponseTranslation.response_id, ResponseTranslation.language)
    )
    found: dict[int, list[TranslationCell]] = {}
    for response_id, language, text, provenance, email, reviewed in rows:
        found.setdefault(response_id, []).append(
            TranslationCell(language, text, provenance, email, bool(reviewed))
        )
    return found


def _groups(submission_ids: set[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        sa.select(SubmissionGroup.submission_id, SubmissionGroup.group)
        .where(SubmissionGroup.submission_id.in_(submission_ids))
        .order_by(SubmissionGroup.submission_id, SubmissionGroup.group)
    )
    found: dict[int, list[str]] = {}
    for submission_id, group in rows:
        found.setdefault(submission_id, []).append(group)
    return found


def iter_answers(
    consultation: Consultation, *, full: bool = False, batch_size: int = BATCH_SIZE
) -> Iterator[ExportRow]:
    """The exported answers in id order, `batch_size` at a time from the database."""
    result = db.session.execute(
        _answers_statement(consultation, full).execution_options(yield_per=batch_size)
    )
    for batch in result.partitions(batch_size):
        translations = _translations([row[0] for row in batch])
        groups = _groups({row[13] for row in batch})
        for row in batch:
            yield ExportRow(
                answer_id=row[0],
                recommendation_key=row[1],
                recommendation_position=row[2],
                stance=row[3],
                language=row[4],
                detected_language=row[5],
                public_text=row[6],
                original_text=row[7],
                stage=row[8],
                age_band=row[9],
                groups_declined=bool(row[10]),
                submitted_on=row[11],
                channel=row[12],
                groups=groups.get(row[13], []),
                translations=translations.get(row[0], []),
            )
    result.close()
