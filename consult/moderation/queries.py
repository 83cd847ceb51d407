"""Reading the moderation queue: submitted written answers by state, with filters, oldest first,
page by page (keyset: see `consult.staff.paging`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
)
from consult.staff.paging import Count, Cursor, Keyset, Page, in_key_order, inline


@dataclass(frozen=True)
class QueueFilters:
    consultation_id: int | None = None
    # The recommendation's number in its consultation ("Idea 3"), as staff and participants see it.
    recommendation_position: int | None = None
    # Detected or declared: an answer written in the English interface that reads as Arabic is
    # found under either language.
    language: str | None = None
    state: str = ModerationState.PENDING
    personal_data: bool | None = None


def _recommendation_ids(filters: QueueFilters) -> list[int] | None:
    """The ids of the recommendations the filters name (a small table, read first), or None when
    they name none."""
    if not filters.consultation_id and not filters.recommendation_position:
        return None
    query = sa.select(Recommendation.id).order_by(Recommendation.id)
    if filters.consultation_id:
        query = query.where(Recommendation.consultation_id == filters.consultation_id)
    if filters.recommendation_position:
        query = query.where(Recommendation.position == filters.recommendation_position)
    return list(db.session.scalars(query))


def _keyset(filters: QueueFilters) -> Keyset:
    """The queue as branches that each read one index in id order (see migration 0006).

    `moderation_state` is set only when a submission is sent, and only on answers with text, so a
    state alone means "submitted and written": no join with the submission. The recommendations
    and the language (two columns) make the branches, each an index range; the personal-data
    filter is part of the queue's own indexes alone, and filters the rows of the others. The
    state is written into the statement (see `inline`).
    """
    base = sa.select(Response.id).where(Response.moderation_state == inline(str(filters.state)))
    if filters.personal_data is True:
        base = base.where(Response.personal_data_kinds.is_not(None))
    elif filters.personal_data is False:
        base = base.where(Response.personal_data_kinds.is_(None))
    # One branch per recommendation named, times one per language column: each an index range.
    recommendation_ids = _recommendation_ids(filters)
    if recommendation_ids is None:
        branches = [base]
    else:
        branches = [base.where(Response.recommendation_id == r) for r in recommendation_ids]
    if filters.language:
        branches = [
            branch.where(column == filters.language)
            for branch in branches
            for column in (Response.detected_language, Response.text_language)
        ]
    return Keyset(Response.id, branches)


def queue(filters: QueueFilters, cursor: Cursor | None = None, limit: int = 50) -> Page[Response]:
    """A page of the written answers matching the filters, oldest first."""
    ids = _keyset(filters).page(cursor or Cursor(), limit)

    def load(page_ids: list[int]) -> list[Response]:
        # The page shows each answer's idea number: its few recommendations in one more query.
        rows = db.session.scalars(
            sa.select(Response)
            .where(Response.id.in_(page_ids))
            .options(selectinload(Response.recommendation))
        )
        return in_key_order(rows, page_ids, lambda row: row.id)

    return ids.map_rows(load)


def queue_count(filters: QueueFilters) -> Count:
    """How many answers match the filters, up to the bound ("1,000+")."""
    return _keyset(filters).count()


def next_pending(after_id: int | None = None) -> Response | None:
    """The answer to decide on next, for "decide, then go to the next": the first one still
    waiting after `after_id` (the one just decided), else the oldest one waiting. Two index
    seeks at most, however long the queue."""
    waiting = sa.select(Response).where(
        Response.moderation_state == inline(str(ModerationState.PENDING))
    )
    if after_id is not None:
        following = db.session.scalar(
            waiting.where(Response.id > after_id).order_by(Response.id).limit(1)
        )
        if following is not None:
            return following
    return db.session.scalar(waiting.order_by(Response.id).limit(1))


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
