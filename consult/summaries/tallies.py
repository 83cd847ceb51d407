"""Keeping the dashboard's counts (`consult.models.tallies`) exact, in the caller's transaction.

- `count_submission(submission)`: a draft has just become a submission (participation's `submit`);
- `uncount_submission(submission)`: a submitted submission is about to be deleted by its
  participant;
- `forget_consultation(consultation_id)`: every submission of a consultation is being deleted (the
  retention purge);
- `rebuild(consultation_id)`: recompute a consultation's counts from its answers (`flask dashboard
  rebuild`, the migration's fill and the drift test use the same grouping).

An answer is counted under every filter combination it matches (`answer_keys`, `day_keys`; see
`consult.models.tallies`). Each change is an upsert (`INSERT .. ON CONFLICT DO UPDATE SET n = n +
excluded.n`, SQLite and PostgreSQL) and bumps the consultation's `DashboardVersion` in the same
transaction, so that a page cached from older counts is never served. Rows are written in key
order, so two submissions of the same consultation sent at once wait for each other on PostgreSQL
instead of deadlocking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects import postgresql, sqlite

from consult.core.extensions import db
from consult.models import (
    DashboardDay,
    DashboardTally,
    DashboardVersion,
    Response,
    Submission,
    SubmissionGroup,
)
from consult.vocab import Group, SubmissionState

NO_GROUPS = ""
NO_STAGE_KEY = ""
ANY = "*"
OVERALL = ""
_TALLY_KEY = (
    "consultation_id",
    "recommendation_id",
    "language_filter",
    "stage_filter",
    "group_filter",
    "dimension",
    "category",
    "stance",
)
_DAY_KEY = ("consultation_id", "day", "language_filter", "stage_filter", "group_filter")


def _filter_combinations(
    language: str, stage: str, groups: list[str]
) -> list[tuple[str, str, str]]:
    return [(lf, sf, gf) for lf in (ANY, language) for sf in (ANY, stage) for gf in (ANY, *groups)]


filter_combinations = _filter_combinations  # public: consult.themes.tallies counts the same way


def answer_keys(
    recommendation_id: int, language: str, stage: str, group_set: str, stance: str
) -> list[tuple]:
    """The tally rows (without the consultation) one answer counts in."""
    groups = groups_of(group_set)
    categories = [
        (OVERALL, ""),
        ("language", language),
        ("stage", stage),
        *(("group", group) for group in groups),
    ]
    return [
        (recommendation_id, lf, sf, gf, dimension, category, stance)
        for lf, sf, gf in _filter_combinations(language, stage, groups)
        for dimension, category in categories
    ]


def day_keys(day: date, language: str, stage: str, group_set: str) -> list[tuple]:
    """The day rows (without the consultation) one participant counts in."""
    return [
        (day, lf, sf, gf)
        for lf, sf, gf in _filter_combinations(language, stage, groups_of(group_set))
    ]


def group_key(groups: Iterable[str]) -> str:
    """A participant's groups as one key: sorted and joined with "," ("" for none)."""
    return ",".join(sorted(set(groups)))


def groups_of(key: str) -> list[str]:
    return key.split(",") if key else []


Executor = sa.orm.Session | sa.orm.scoped_session | sa.Connection


def _insert(model: type, executor: Executor) -> sa.Insert:
    bind = executor if isinstance(executor, sa.Connection) else executor.get_bind()
    module = postgresql if bind.dialect.name == "postgresql" else sqlite
    return module.insert(model)


# Rows per executemany of an upsert.
BATCH = 5000


def add_to_kept(
    model: type,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    amounts: Mapping[tuple, Sequence[int]],
    executor: Executor | None = None,
) -> None:
    """Add `amounts` ({key values: one number per column}) to the kept rows of `model`: an upsert
    (`INSERT .. ON CONFLICT DO UPDATE SET c = c + excluded.c`), in key order so that concurrent
    writers queue instead of deadlocking, skipping rows that add nothing. The themes' kept counts
    (`consult.themes.tallies`) are written the same way."""
    connection = executor if isinstance(executor, sa.Connection) else db.session.connection()
    rows = [
        {**dict(zip(key, k, strict=True)), **dict(zip(columns, v, strict=True))}
        for k, v in sorted(amounts.items())
        if any(v)
    ]
    if not rows:
        return
    statement = _insert(model, connection)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={c: getattr(model, c) + getattr(statement.excluded, c) for c in columns},
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(statement, rows[start : start + BATCH])


def _add(
    model: type, key: tuple[str, ...], counts: Counter[tuple], executor: Executor | None = None
) -> None:
    add_to_kept(model, key, ("n",), {k: (n,) for k, n in counts.items()}, executor)


def bump_version(consultation_id: int, executor: Executor | None = None) -> None:
    executor = executor if executor is not None else db.session
    statement = _insert(DashboardVersion, executor).values(
        consultation_id=consultation_id, version=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["consultation_id"], set_={"version": DashboardVersion.version + 1}
    )
    executor.execute(statement)


def add_counts(
    connection: sa.Connection,
    consultation_id: int,
    answers: Counter[tuple],
    participants: Counter[tuple],
) -> None:
    """Bulk loaders (benchmarks/synthetic.py) add what they inserted: `answers` by
    (recommendation, language, stage, group set, stance), `participants` by (day, language,
    stage, group set), in their own transaction (`connection`)."""
    tally, days = expand(consultation_id, answers, participants)
    _add(DashboardTally, _TALLY_KEY, tally, connection)
    _add(DashboardDay, _DAY_KEY, days, connection)
    bump_version(consultation_id, connection)


def expand(
    consultation_id: int, answers: Counter[tuple], participants: Counter[tuple]
) -> tuple[Counter[tuple], Counter[tuple]]:
    """Fine counts (see `add_counts`) as the kept rows."""
    tally: Counter[tuple] = Counter()
    for fine, n in answers.items():
        for key in answer_keys(*fine):
            tally[(consultation_id, *key)] += n
    days: Counter[tuple] = Counter()
    for fine, n in participants.items():
        for key in day_keys(*fine):
            days[(consultation_id, *key)] += n
    return tally, days


def version(consultation_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(DashboardVersion.version).where(
                DashboardVersion.consultation_id == consultation_id
            )
        )
        or 0
    )


def _change(submission: Submission, sign: int) -> None:
    group_set = group_key(g.group for g in submission.groups)
    stage = submission.stage or NO_STAGE_KEY
    consultation_id = submission.consultation_id
    answers: Counter[tuple] = Counter()
    for response in submission.responses:
        for key in answer_keys(
            response.recommendation_id, submission.language, stage, group_set, response.stance
        ):
            answers[(consultation_id, *key)] += sign
    days = Counter(
        {
            (consultation_id, *key): sign
            for key in day_keys(submission.submitted_on, submission.language, stage, group_set)
        }
    )
    _add(DashboardTally, _TALLY_KEY, answers)
    _add(DashboardDay, _DAY_KEY, days)
    bump_version(consultation_id)


def count_submission(submission: Submission) -> None:
    """Add a just-submitted submission (its answers, groups and day) to the counts."""
    if submission.state == SubmissionState.SUBMITTED:
        _change(submission, +1)


def uncount_submission(submission: Submission) -> None:
    """Take out a submission that is about to be deleted (drafts were never counted)."""
    if submission.state == SubmissionState.SUBMITTED:
        _change(submission, -1)


def forget_consultation(consultation_id: int) -> None:
    """Every submission of the consultation is being deleted."""
    for model in (DashboardTally, DashboardDay):
        db.session.execute(sa.delete(model).where(model.consultation_id == consultation_id))
    bump_version(consultation_id)


def groups_expression(submission_id: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """SQL for `group_key` of a submission's groups (both databases; no ordered string
    aggregate in SQLite 3.40): each known group in sorted order, then the last comma trimmed."""
    parts = [
        sa.case(
            (
                sa.exists().where(
                    SubmissionGroup.submission_id == submission_id, SubmissionGroup.group == name
                ),
                name + ",",
            ),
            else_="",
        )
        for name in sorted(Group.values())
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(part)
    return sa.func.rtrim(joined, ",")


def counted_submissions(consultation_id: int | None) -> sa.Subquery:
    """Submitted submissions (of one consultation, or all) with the keys they are counted under:
    language, stage (NO_STAGE_KEY when unanswered) and sorted group set; the themes' kept counts
    group by the same."""
    conditions = [Submission.state == SubmissionState.SUBMITTED]
    if consultation_id is not None:
        conditions.append(Submission.consultation_id == consultation_id)
    return (
        sa.select(
            Submission.id,
            Submission.consultation_id,
            Submission.submitted_on,
            Submission.language,
            sa.func.coalesce(Submission.stage, NO_STAGE_KEY).label("stage"),
            groups_expression(Submission.id).label("group_set"),
        )
        .where(*conditions)
        .subquery("counted")
    )


def recomputed_statements(
    consultation_id: int | None = None,
) -> tuple[sa.Select, sa.Select]:
    """The tallies and the day rows computed from the answers, GROUP BY in the database."""
    counted = counted_submissions(consultation_id)
    tally = (
        sa.select(
            counted.c.consultation_id,
            Response.recommendation_id,
            counted.c.language,
            counted.c.stage,
            counted.c.group_set,
            Response.stance,
            sa.func.count().label("n"),
        )
        .join(Response, Response.submission_id == counted.c.id)
        .group_by(
            counted.c.consultation_id,
            Response.recommendation_id,
            counted.c.language,
            counted.c.stage,
            counted.c.group_set,
            Response.stance,
        )
    )
    day = sa.select(
        counted.c.consultation_id,
        counted.c.submitted_on,
        counted.c.language,
        counted.c.stage,
        counted.c.group_set,
        sa.func.count().label("n"),
    ).group_by(
        counted.c.consultation_id,
        counted.c.submitted_on,
        counted.c.language,
        counted.c.stage,
        counted.c.group_set,
    )
    return tally, day


def _recomputed_by_consultation(
    consultation_id: int | None,
) -> dict[int, tuple[Counter[tuple], Counter[tuple]]]:
    """The fine counts from the answers (GROUP BY in the database), per consultation."""
    tally, day = recomputed_statements(consultation_id)
    found: dict[int, tuple[Counter[tuple], Counter[tuple]]] = {}
    for cid, *fine, n in db.session.execute(tally):
        found.setdefault(cid, (Counter(), Counter()))[0][tuple(fine)] += n
    for cid, *fine, n in db.session.execute(day):
        found.setdefault(cid, (Counter(), Counter()))[1][tuple(fine)] += n
    return found


def rebuild(consultation_id: int | None = None) -> None:
    """Recompute the counts of one consultation (or all) from scratch, in the caller's
    transaction."""
    for model in (DashboardTally, DashboardDay):
        statement = sa.delete(model)
        if consultation_id is not None:
            statement = statement.where(model.consultation_id == consultation_id)
        db.session.execute(statement)
    for cid, (answers, participants) in _recomputed_by_consultation(consultation_id).items():
        tally, days = expand(cid, answers, participants)
        _add(DashboardTally, _TALLY_KEY, tally)
        _add(DashboardDay, _DAY_KEY, days)
    if consultation_id is not None:
        bump_version(consultation_id)
    else:
        from consult.models import Consultation

        for cid in db.session.scalars(sa.select(Consultation.id)):
            bump_version(cid)


def snapshot(consultation_id: int | None = None) -> dict[tuple, int]:
    """The kept counts (rows with n != 0) of one consultation or all, keyed by (table, key...)."""
    found: dict[tuple, int] = {}
    for model, key in ((DashboardTally, _TALLY_KEY), (DashboardDay, _DAY_KEY)):
        query = sa.select(*(getattr(model, c) for c in key), model.n).where(model.n != 0)
        if consultation_id is not None:
            query = query.where(model.consultation_id == consultation_id)
        for row in db.session.execute(query):
            found[(model.__tablename__, *row[:-1])] = row[-1]
    return found


def recomputed(consultation_id: int | None = None) -> dict[tuple, int]:
    """What `snapshot` should hold, computed from the answers now (the drift test's reference)."""
    found: dict[tuple, int] = {}
    for cid, (answers, participants) in _recomputed_by_consultation(consultation_id).items():
        tally, days = expand(cid, answers, participants)
        for model, counts in ((DashboardTally, tally), (DashboardDay, days)):
            for key, n in counts.items():
                if n:
                    found[(model.__tablename__, *key)] = n
    return found
