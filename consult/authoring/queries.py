"""What the organisers' pages read: the consultations list with its counts, one consultation."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ConsultationText,
    ModerationState,
    Recommendation,
    RecommendationVersion,
    Response,
    Submission,
    SubmissionState,
)
from consult.staff.paging import Count

# The list counts up to this many submissions (and answers waiting) per consultation, then says
# "10,000+": each count reads at most this many index entries, however big the consultation.
COUNT_BOUND = 10_000
# Consultations listed: newest first, this many at most.
LIST_LIMIT = 200


@dataclass(frozen=True)
class ConsultationRow:
    consultation: Consultation
    title: str | None  # in the source language
    submissions: Count
    awaiting_moderation: Count


def _bounded(select: sa.Select) -> sa.ScalarSelect[int]:
    limited = select.limit(COUNT_BOUND + 1).subquery()
    return sa.select(sa.func.count()).select_from(limited).scalar_subquery()


def _count(value: int) -> Count:
    return Count(min(value, COUNT_BOUND), value > COUNT_BOUND)


def consultation_rows() -> list[ConsultationRow]:
    """Every consultation (newest first, at most LIST_LIMIT) with its source-language title and two
    bounded counts, in one statement."""
    title = (
        sa.select(ConsultationText.title)
        .where(
            ConsultationText.consultation_id == Consultation.id,
            ConsultationText.language == Consultation.source_language,
        )
        .limit(1)
        .scalar_subquery()
    )
    submitted = _bounded(
        sa.select(Submission.id).where(
            Submission.consultation_id == Consultation.id,
            Submission.state == SubmissionState.SUBMITTED,
        )
    )
    waiting = _bounded(
        sa.select(Response.id)
        .join(Recommendation, Recommendation.id == Response.recommendation_id)
        .where(
            Recommendation.consultation_id == Consultation.id,
            Response.moderation_state == ModerationState.PENDING,
        )
    )
    rows = db.session.execute(
        sa.select(Consultation, title, submitted, waiting)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [ConsultationRow(c, t, _count(s), _count(w)) for c, t, s, w in rows]


def consultation_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def answer_counts(consultation: Consultation) -> dict[int, int]:
    """How many answers each recommendation has (deleting is allowed only at zero)."""
    rows = db.session.execute(
        sa.select(Response.recommendation_id, sa.func.count(Response.id))
        .join(Recommendation, Recommendation.id == Response.recommendation_id)
        .where(Recommendation.consultation_id == consultation.id)
        .group_by(Response.recommendation_id)
    )
    return {rid: count for rid, count in rows}


def version_text(
    recommendation_id: int, version: int, language: str, source_language: str
) -> RecommendationVersion | None:
    """An archived text version in `language`, else in the source language."""
    rows = db.session.scalars(
        sa.select(RecommendationVersion).where(
            RecommendationVersion.recommendation_id == recommendation_id,
            RecommendationVersion.version == version,
            RecommendationVersion.language.in_({language, source_language}),
        )
    ).all()
    by_language = {row.language: row for row in rows}
    return by_language.get(language) or by_language.get(source_language)
