"""What the dashboard reads: the kept counts (`consult.models.tallies`), not every answer.

Every number counts *submitted* submissions of one consultation and their answers, restricted by the
same `DashboardFilters` (language of the submission, migration stage, participant group, submission
date range):

- `stance_table`: answers per (recommendation, breakdown, category, stance), read from the kept
  tallies of the page's filter combination (their number depends on the numbers of
  recommendations, languages, stages and groups, not on the number of answers); with a date range,
  from the answers of the range's days (`stance_cube` and `group_stance_counts`, through the
  covering indexes of migration 0013);
- `kept_days`: participants per day (the timeline) and per language, from the day tallies, date
  range included;
- `totals`: awaiting moderation (the moderation queue's partial index, migration 0006) and awaiting
  translation.

`stance_cube` and `group_stance_counts` over the answers themselves are also the export's (its
aggregate sheet) and the drift test's reference. See docs/decisions.md, "Dashboard aggregates".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm

from consult.core.extensions import db
from consult.models import (
    DashboardDay,
    DashboardTally,
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


def kept_combination(filters: DashboardFilters) -> tuple[str, str, str]:
    """The filter combination the kept counts (`consult.models.tallies`, and the themes') file
    these filters under: (language, stage, group), each a value or ANY; a date range aside."""
    from consult.summaries.tallies import ANY, NO_STAGE_KEY

    stage = NO_STAGE_KEY if filters.stage == NO_STAGE else (filters.stage or ANY)
    return (filters.language or ANY, stage, filters.group or ANY)


def _combination(model: type, consultation_id: int, filters: DashboardFilters) -> list:
    """The kept rows of this page's filter combination, its language aside."""
    _language, stage, group = kept_combination(filters)
    return [
        model.consultation_id == consultation_id,
        model.stage_filter == stage,
        model.group_filter == group,
    ]


# (recommendation id, breakdown ("" overall, "language", "stage", "group"), category, stance)
StanceTable = dict[tuple[int, str, str, str], int]


def stance_table(consultation_id: int, filters: DashboardFilters) -> StanceTable:
    """Answers per recommendation, breakdown, category and stance among the filtered
    submissions; a stage category is NO_STAGE for those who did not answer.

    Without a date range: the kept tallies of the filter combination (a few hundred rows, one
    indexed read). With one: `stance_cube` and `group_stance_counts` over the range's answers."""
    from consult.summaries.tallies import ANY, NO_STAGE_KEY

    table: StanceTable = {}
    if filters.date_from or filters.date_to:
        for row in stance_cube(consultation_id, filters):
            for dimension, category in (("", ""), ("language", row.language), ("stage", row.stage)):
                key = (row.recommendation_id, dimension, category, row.stance)
                table[key] = table.get(key, 0) + row.count
        for (rec, group, stance), count in group_stance_counts(consultation_id, filters).items():
            table[(rec, "group", group, stance)] = count
        return table
    query = sa.select(
        DashboardTally.recommendation_id,
        DashboardTally.dimension,
        DashboardTally.category,
        DashboardTally.stance,
        DashboardTally.n,
    ).where(
        *_combination(DashboardTally, consultation_id, filters),
        DashboardTally.language_filter == (filters.language or ANY),
        DashboardTally.n > 0,
    )
    for rec, dimension, category, stance, n in db.session.execute(query):
        if dimension == "stage" and category == NO_STAGE_KEY:
            category = NO_STAGE
        table[(rec, dimension, category, stance)] = n
    return table


def kept_days(
    consultation_id: int, filters: DashboardFilters
) -> tuple[list[tuple[date, int]], Counter[str]]:
    """Participants per day (the timeline) and per submission language, from the day tallies
    (rows per day and language of the filter combination: bounded by the calendar, not by the
    number of answers)."""
    from consult.summaries.tallies import ANY

    conditions = [*_combination(DashboardDay, consultation_id, filters), DashboardDay.n > 0]
    if filters.date_from:
        conditions.append(DashboardDay.day >= filters.date_from)
    if filters.date_to:
        conditions.append(DashboardDay.day <= filters.date_to)
    per_day = (
        sa.select(DashboardDay.day, DashboardDay.n)
        .where(*conditions, DashboardDay.language_filter == (filters.language or ANY))
        .order_by(DashboardDay.day)
    )
    per_language = (
        sa.select(DashboardDay.language_filter, sa.func.sum(DashboardDay.n))
        .where(
            *conditions,
            DashboardDay.language_filter != ANY,
            *([DashboardDay.language_filter == filters.language] if filters.language else []),
        )
        .group_by(DashboardDay.language_filter)
    )
    days = [(day, n) for day, n in db.session.execute(per_day)]
    return days, Counter(dict(db.session.execute(per_language).all()))


# The queue counts stop here ("1,000+"): past it, an exact figure would cost a read of the whole
# queue on every page, and "more than a thousand" is what an organiser needs to know.
QUEUE_BOUND = 1000


@dataclass(frozen=True)
class Totals:
    participants: int
    answers: int  # stances chosen (not "no answer chosen")
    awaiting_moderation: int  # at most QUEUE_BOUND
    awaiting_translation: int  # at most QUEUE_BOUND
    more_awaiting_moderation: bool = False  # more than QUEUE_BOUND
    more_awaiting_translation: bool = False


def _bounded_count(query: sa.Select) -> tuple[int, bool]:
    limited = query.limit(QUEUE_BOUND + 1).subquery()
    found = db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0
    return min(found, QUEUE_BOUND), found > QUEUE_BOUND


@dataclass(frozen=True)
class Queues:
    awaiting_moderation: int
    more_awaiting_moderation: bool
    awaiting_translation: int
    more_awaiting_translation: bool


def queues(consultation_id: int, filters: DashboardFilters, working_languages: list[str]) -> Queues:
    """The two queue counts, each read from its queue (the moderation queue's partial index,
    migration 0006) and stopped at QUEUE_BOUND."""
    # The submission's conditions as a per-answer subquery (LIMIT 1: neither database turns it
    # into a join), so both walk the queue's index and stop at the bound; a join let PostgreSQL
    # hash every submission of the consultation first.
    in_scope = [
        sa.select(sa.literal(1))
        .where(Submission.id == Response.submission_id, *_submitted(consultation_id, filters))
        .correlate(Response)
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    ]
    pending, more_pending = _bounded_count(
        sa.select(Response.id).where(
            *in_scope, Response.moderation_state == ModerationState.PENDING
        )
    )
    untranslated, more_untranslated = _awaiting_translation(in_scope, working_languages)
    return Queues(pending, more_pending, untranslated, more_untranslated)


def totals(participants: int, answers: int, counted: Queues) -> Totals:
    """The page's head figures; participants and answers come from the other statements' sums."""
    return Totals(
        participants=participants,
        answers=answers,
        awaiting_moderation=counted.awaiting_moderation,
        awaiting_translation=counted.awaiting_translation,
        more_awaiting_moderation=counted.more_awaiting_moderation,
        more_awaiting_translation=counted.more_awaiting_translation,
    )


def _awaiting_translation(
    in_scope: list[sa.ColumnElement[bool]], working_languages: list[str]
) -> tuple[int, bool]:
    """Approved answers that still lack a person's translation into a working language they are
    not written in (the translation desk's rule; a machine draft does not count)."""
    from consult.translation.desk_queries import HUMAN, answer_language

    if not working_languages:
        return 0, False
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
    return _bounded_count(
        sa.select(Response.id).where(
            *in_scope,
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
            sa.or_(*missing),
        )
    )


def recommendations(consultation_id: int) -> list[Recommendation]:
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )


STANCES = tuple(Stance)
