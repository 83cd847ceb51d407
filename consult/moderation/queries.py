"""Reading the moderation queue: submitted written answers by state, with filters, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    Submission,
    SubmissionState,
)


@dataclass(frozen=True)
class QueueFilters:
    consultation_id: int | None = None
    # The recommendation's number in its consultation ("Idea 3"), as staff and participants see it.
    recommendation_position: int | None = None
    language: str | None = None
    state: str = ModerationState.PENDING
    personal_data: bool | None = None


def _filtered(filters: QueueFilters) -> sa.Select:
    query = (
        sa.select(Response)
        .join(Response.submission)
        .where(Submission.state == SubmissionState.SUBMITTED, Response.text.is_not(None))
        .where(Response.moderation_state == filters.state)
    )
    if filters.consultation_id:
        query = query.where(Submission.consultation_id == filters.consultation_id)
    if filters.recommendation_position:
        query = query.where(
            Response.recommendation.has(Recommendation.position == filters.recommendation_position)
        )
    if filters.language:
        query = query.where(
            sa.or_(
                Response.detected_language == filters.language,
                Response.text_language == filters.language,
            )
        )
    if filters.personal_data is True:
        query = query.where(Response.personal_data_kinds.is_not(None))
    elif filters.personal_data is False:
        query = query.where(Response.personal_data_kinds.is_(None))
    return query


def queue(filters: QueueFilters, limit: int = 50, offset: int = 0) -> tuple[list[Response], int]:
    """Submitted written answers matching the filters, oldest first, and how many there are."""
    query = _filtered(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(joinedload(Response.recommendation).joinedload(Recommendation.texts))
        .order_by(Response.id)
        .limit(limit)
        .offset(offset)
    ).unique()
    return list(rows), total


def next_pending(filters: QueueFilters | None = None) -> Response | None:
    """The oldest answer still waiting for a decision, for "decide, then go to the next"."""
    query = _filtered(filters or QueueFilters()).order_by(Response.id).limit(1)
    return db.session.scalar(query)


def other_answers(response: Response) -> list[Response]:
    """The rest of the same participant's submission, for context."""
    return [r for r in response.submission.responses if r.id != response.id]


def translations_of(response: Response) -> list[ResponseTranslation]:
    return list(
        db.session.scalars(
            sa.select(ResponseTranslation).where(ResponseTranslation.response_id == response.id)
        )
    )


def consultations() -> list[Consultation]:
    """Every consultation, for the queue's filter."""
    return list(db.session.scalars(sa.select(Consultation).order_by(Consultation.id)))
