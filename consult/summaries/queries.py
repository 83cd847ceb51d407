"""What the dashboard reads: counts grouped in the database, never every answer.

Every number counts *submitted* submissions of one consultation and their answers, restricted by the
same `DashboardFilters` (language of the submission, migration stage, participant group, submission
date range). Four statements per page whatever the number of answers:

- `stance_cube`: answers per (recommendation, submission language, stage, stance), from which the
  overall distribution and the language and stage breakdowns are summed in Python;
- `group_stance_counts`: answers per (recommendation, group, stance) (groups overlap: a person may
  belong to several, so this is its own statement);
- `submissions_per_day`: the timeline;
- `totals`: participants, answers, languages, awaiting moderation, awaiting translation.

The indexes they read are in migration 0013 (see docs/decisions.md, "Dashboard (issue 11)").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm

from consult.core.extensions import db
from consult.models import (
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    Submission,
    SubmissionGroup,
)
from consult.vocab import Stance, SubmissionState

# The stage breakdown's row for people who did not answer the question (so that rows add up).
NO_STAGE = "unanswered"


@dataclass(frozen=True)
class DashboardFilters:
    language: str | None = None
    stage: str | None = None  # a JourneyStage value or NO_STAGE
    group: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any((self.language, self.stage, self.group, self.date_from, self.date_to))

    def without(self, name: str) -> DashboardFilters:
        return replace(self, **{name: None})


def _submitted(consultation_id: int, filters: DashboardFilters) -> list[sa.ColumnElement[bool]]:
    conditions = [
        Submission.consultation_id == consultation_id,
        Submission.state == SubmissionState.SUBMITTED,
    ]
    if filters.language:
        conditions.append(Submission.language == filters.language)
    if filters.stage == NO_STAGE:
        conditions.append(Submission.stage.is_(None))
    elif filters.stage:
        conditions.append(Submission.stage == filters.stage)
    if filters.date_from:
        conditions.append(Submission.submitted_on >= filters.date_from)
    if filters.date_to:
        conditions.append(Submission.submitted_on <= filters.date_to)
    if filters.group:
        member = sa.orm.aliased(SubmissionGroup)
        conditions.append(
            sa.exists()
            .where(member.submission_id == Submission.id, member.group == filters.group)
            .correlate(Submission)
        )
    return conditions


@dataclass(frozen=True)
class CubeRow:
    recommendation_id: int
    language: str
    stage: str
    stance: str
    count: int


def stance_cube(consultation_id: int, filters: DashboardFilters) -> list[CubeRow]:
    """Answers counted per (recommendation, language, stage, stance), stage None as NO_STAGE."""
    query = (
        sa.select(
            Response.recommendation_id,
            Submission.language,
            Submission.stage,
            Response.stance,
            sa.func.count(),
        )
        .join(Submission, Submission.id == Response.submission_id)
        .where(*_submitted(consultation_id, filters))
        .group_by(
            Response.recommendation_id, Submission.language, Submission.stage, Response.stance
        )
    )
    return [
        CubeRow(rec, language, stage or NO_STAGE, stance, count)
        for rec, language, stage, stance, count in db.session.execute(query)
    ]


def group_stance_counts(
    consultation_id: int, filters: DashboardFilters
) -> dict[tuple[int, str, str], int]:
    """Answers per (recommendation, group, stance) among the filtered submissions."""
    query = (
        sa.select(
            Response.recommendation_id, SubmissionGroup.group, Response.stance, sa.func.count()
        )
        .join(Submission, Submission.id == Response.submission_id)
        .join(SubmissionGroup, SubmissionGroup.submission_id == Submission.id)
        .where(*_submitted(consultation_id, filters))
        .group_by(Response.recommendation_id, SubmissionGroup.group, Response.stance)
    )
    return {(rec, group, stance): count for rec, group, stance, count in db.session.execute(query)}


def submissions_per_day(consultation_id: int, filters: DashboardFilters) -> list[tuple[date, int]]:
    query = (
        sa.select(Submission.submitted_on, sa.func.count())
        .where(*_submitted(consultation_id, filters))
        .group_by(Submission.submitted_on)
        .order_by(Submission.submitted_on)
    )
    return [(day, count) for day, count in db.session.execute(query)]


def submission_languages(consultation_id: int, filters: DashboardFilters) -> Counter[str]:
    """Participants per submission language (the "languages used" total reads it)."""
    query = (
        sa.select(Submission.language, sa.func.count())
        .where(*_submitted(consultation_id, filters))
        .group_by(Submission.language)
    )
    return Counter(dict(db.session.execute(query).all()))


@dataclass(frozen=True)
class Totals:
    participants: int
    answers: int  # stances chosen (not "no answer chosen")
    written: int  # answers with text
    awaiting_moderation: int
    awaiting_translation: int


def totals(
    consultation_id: int,
    filters: DashboardFilters,
    working_languages: list[str],
    participants: int,
    answers: int,
) -> Totals:
    """The page's head figures; participants and answers come from the other statements' sums."""
    in_scope = _submitted(consultation_id, filters)
    moderation = dict(
        db.session.execute(
            sa.select(Response.moderation_state, sa.func.count())
            .join(Submission, Submission.id == Response.submission_id)
            .where(*in_scope, Response.moderation_state.is_not(None))
            .group_by(Response.moderation_state)
        ).all()
    )
    return Totals(
        participants=participants,
        answers=answers,
        written=sum(moderation.values()),
        awaiting_moderation=moderation.get(ModerationState.PENDING, 0),
        awaiting_translation=_awaiting_translation(in_scope, working_languages),
    )


def _awaiting_translation(
    in_scope: list[sa.ColumnElement[bool]], working_languages: list[str]
) -> int:
    """Approved answers that still lack a person's translation into a working language they are
    not written in (the translation desk's rule; a machine draft does not count)."""
    from consult.translation.desk_queries import HUMAN, answer_language

    if not working_languages:
        return 0
    written_in = answer_language()
    missing = [
        sa.and_(
            sa.or_(written_in.is_(None), written_in != language),
            ~sa.exists().where(
                ResponseTranslation.response_id == Response.id,
                ResponseTranslation.language == language,
                ResponseTranslation.provenance == HUMAN,
            ),
        )
        for language in working_languages
    ]
    query = (
        sa.select(sa.func.count())
        .select_from(Response)
        .join(Submission, Submission.id == Response.submission_id)
        .where(
            *in_scope,
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
            sa.or_(*missing),
        )
    )
    return db.session.scalar(query) or 0


def recommendations(consultation_id: int) -> list[Recommendation]:
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )


STANCES = tuple(Stance)
