"""Keeping the themes' counts per filter combination (`consult.models.theme_tallies`) exact, in
the caller's transaction, so a filtered dashboard read is a lookup.

- `refresh_recommendation(recommendation_id)`: a theme run has just finished (the job, same
  transaction): every theme of the recommendation and its answers considered / untranslated are
  counted again from the stored members.
- `refresh_themes(theme_ids)`: an organiser's edit changed these themes' members (move, merge,
  split): bounded by their members.
- `uncount_submissions(consultation_id, submission_ids)`: submitted submissions are about to be
  deleted by their participants (a session listener, `consult.themes.operations.init_themes`:
  their theme members go with them by ON DELETE CASCADE).
- `forget_consultation(consultation_id)`: the retention purge deletes every answer.

Counting is a statement grouped in the database by (theme or recommendation, language, stage,
group set), as `consult.summaries.tallies` does for the dashboard, expanded in Python into the
filter combinations with its `filter_combinations`. The answers considered follow the rule the
themes read used to apply on each filtered read: approved answers with a non-empty public text,
approved before the run read its input (`ThemeRun.data_as_of`); "untranslated" those neither
written in a working language nor translated into one (`consult.themes.inputs`). Both are as of
the run, like the unfiltered figures (`ThemeRun.answers_considered`, `ThemeRun.untranslated`).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
)
from consult.models.theme_tallies import ThemeInputTally, ThemeTally
from consult.models.themes import Theme, ThemeMember, ThemeRun
from consult.summaries.queries import DashboardFilters, kept_combination
from consult.summaries.tallies import (
    ANY,
    add_to_kept,
    counted_submissions,
    filter_combinations,
    groups_of,
)
from consult.themes.inputs import working_languages

Combination = tuple[str, str, str]  # (language, stage, group), each a value or ANY
UNFILTERED: Combination = (ANY, ANY, ANY)


def combination(filters: DashboardFilters) -> Combination | None:
    """The kept combination for the dashboard's filters; None with a date range (not kept)."""
    if filters.date_from or filters.date_to:
        return None
    return kept_combination(filters)


# --- the grouped statements -------------------------------------------------------------------


def considered_conditions() -> list[sa.ColumnElement[bool]]:
    """The answers the last run read (join `ThemeRun` on the recommendation)."""
    return [
        Response.moderation_state == ModerationState.APPROVED,
        Response.public_text.is_not(None),
        sa.func.trim(Response.public_text) != "",
        ThemeRun.data_as_of.is_not(None),
        sa.or_(Response.moderated_at.is_(None), Response.moderated_at <= ThemeRun.data_as_of),
    ]


def untranslated_expression(wanted: list[str]) -> sa.ColumnElement[int]:
    """1 for an answer read in its original language, not a working one (the rule of
    `consult.themes.inputs`), else 0."""
    written_in = sa.func.coalesce(Response.detected_language, Response.text_language)
    translated = sa.exists().where(
        ResponseTranslation.response_id == Response.id,
        ResponseTranslation.language.in_(wanted),
        ResponseTranslation.text.is_not(None),
        sa.func.trim(ResponseTranslation.text) != "",
    )
    untranslated = sa.and_(sa.or_(written_in.is_(None), written_in.not_in(wanted)), ~translated)
    return sa.case((untranslated, 1), else_=0)


def wanted_languages(consultation_id: int) -> list[str]:
    row = db.session.execute(
        sa.select(Consultation.working_languages, Consultation.source_language).where(
            Consultation.id == consultation_id
        )
    ).one()
    return working_languages(row[0], row[1])


def members_statement(consultation_id: int | None, *conditions: sa.ColumnElement) -> sa.Select:
    """Members (not excluded) per (theme, language, stage, group set)."""
    counted = counted_submissions(consultation_id)
    return (
        sa.select(
            ThemeMember.theme_id,
            counted.c.language,
            counted.c.stage,
            counted.c.group_set,
            sa.func.count(),
        )
        .join(Response, Response.id == ThemeMember.response_id)
        .join(counted, counted.c.id == Response.submission_id)
        .where(ThemeMember.excluded.is_(False), *conditions)
        .group_by(ThemeMember.theme_id, counted.c.language, counted.c.stage, counted.c.group_set)
    )


def inputs_statement(consultation_id: int, *conditions: sa.ColumnElement) -> sa.Select:
    """(answers considered, untranslated) per (recommendation, language, stage, group set)."""
    counted = counted_submissions(consultation_id)
    untranslated = untranslated_expression(wanted_languages(consultation_id))
    return (
        sa.select(
            Response.recommendation_id,
            counted.c.language,
            counted.c.stage,
            counted.c.group_set,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(untranslated), 0),
        )
        .join(counted, counted.c.id == Response.submission_id)
        .join(ThemeRun, ThemeRun.recommendation_id == Response.recommendation_id)
        .where(*considered_conditions(), *conditions)
        .group_by(
            Response.recommendation_id, counted.c.language, counted.c.stage, counted.c.group_set
        )
    )


def _expand(rows: Iterable[sa.Row]) -> dict[tuple, list[int]]:
    """Grouped rows (owner, language, stage, group set, n...) as kept rows (owner, combination)
    with their numbers summed."""
    kept: dict[tuple, list[int]] = {}
    for owner, language, stage, group_set, *numbers in rows:
        for combo in filter_combinations(language, stage, groups_of(group_set)):
            found = kept.setdefault((owner, *combo), [0] * len(numbers))
            for i, n in enumerate(numbers):
                found[i] += int(n)
    return kept


# --- writing ----------------------------------------------------------------------------------


_THEME_KEY = ("theme_id", "language_filter", "stage_filter", "group_filter")
_INPUT_KEY = ("recommendation_id", "language_filter", "stage_filter", "group_filter")


def _write(model: type, key: tuple[str, ...], columns: tuple[str, ...], kept, sign: int) -> None:
    """Add `kept` ({key: [numbers]}) times `sign` to the kept rows."""
    add_to_kept(model, key, columns, {k: [sign * n for n in v] for k, v in kept.items()})


def _of(recommendation_id: int) -> sa.ColumnElement[bool]:
    """Members of the recommendation's themes."""
    return ThemeMember.theme_id.in_(
        sa.select(Theme.id).where(Theme.recommendation_id == recommendation_id)
    )


def _consultation_of(recommendation_id: int) -> int | None:
    return db.session.scalar(
        sa.select(Recommendation.consultation_id).where(Recommendation.id == recommendation_id)
    )


def _lock_runs(recommendation_ids: sa.Select | list[int]) -> None:
    """Writers of one recommendation's kept counts (its run, an edit, a deletion) take its
    `theme_run` row first, in id order, so on PostgreSQL they follow each other: a deletion
    waits for a run that is replacing the themes and then uncounts from the new ones. (SQLite
    has one writer at a time; the FOR UPDATE is left out there.)"""
    db.session.execute(
        sa.select(ThemeRun.recommendation_id)
        .where(ThemeRun.recommendation_id.in_(recommendation_ids))
        .order_by(ThemeRun.recommendation_id)
        .with_for_update()
    ).all()


def refresh_themes(theme_ids: Iterable[int]) -> None:
    """Count these themes' members again (after an organiser's edit)."""
    ids = sorted(set(theme_ids))
    if not ids:
        return
    db.session.flush()
    _lock_runs(sa.select(Theme.recommendation_id).where(Theme.id.in_(ids)))
    db.session.execute(sa.delete(ThemeTally).where(ThemeTally.theme_id.in_(ids)))
    rows = db.session.execute(members_statement(None, ThemeMember.theme_id.in_(ids)))
    _write(ThemeTally, _THEME_KEY, ("n",), _expand(rows), +1)


def refresh_recommendation(recommendation_id: int) -> None:
    """Count every theme of the recommendation and its answers considered again (a run ended)."""
    consultation_id = _consultation_of(recommendation_id)
    if consultation_id is None:
        return
    db.session.flush()
    _lock_runs([recommendation_id])
    theme_ids = list(
        db.session.scalars(sa.select(Theme.id).where(Theme.recommendation_id == recommendation_id))
    )
    db.session.execute(sa.delete(ThemeTally).where(ThemeTally.theme_id.in_(theme_ids)))
    rows = db.session.execute(members_statement(consultation_id, _of(recommendation_id)))
    _write(ThemeTally, _THEME_KEY, ("n",), _expand(rows), +1)
    db.session.execute(
        sa.delete(ThemeInputTally).where(ThemeInputTally.recommendation_id == recommendation_id)
    )
    rows = db.session.execute(
        inputs_statement(consultation_id, Response.recommendation_id == recommendation_id)
    )
    _write(ThemeInputTally, _INPUT_KEY, ("considered", "untranslated"), _expand(rows), +1)


def uncount_submissions(consultation_id: int, submission_ids: list[int]) -> None:
    """Take out the answers of submitted submissions about to be deleted."""
    if not submission_ids:
        return
    mine = Response.submission_id.in_(sorted(submission_ids))
    _lock_runs(sa.select(Response.recommendation_id).where(mine))
    rows = db.session.execute(members_statement(consultation_id, mine))
    _write(ThemeTally, _THEME_KEY, ("n",), _expand(rows), -1)
    rows = db.session.execute(inputs_statement(consultation_id, mine))
    _write(ThemeInputTally, _INPUT_KEY, ("considered", "untranslated"), _expand(rows), -1)


def forget_consultation(consultation_id: int) -> None:
    """Every answer of the consultation is being deleted (the retention purge)."""
    recommendations = sa.select(Recommendation.id).where(
        Recommendation.consultation_id == consultation_id
    )
    db.session.execute(
        sa.delete(ThemeTally).where(
            ThemeTally.theme_id.in_(
                sa.select(Theme.id).where(Theme.recommendation_id.in_(recommendations))
            )
        )
    )
    db.session.execute(
        sa.delete(ThemeInputTally).where(ThemeInputTally.recommendation_id.in_(recommendations))
    )


def rebuild(consultation_id: int) -> None:
    """Count every recommendation of the consultation again (the drift test's repair)."""
    for rid in db.session.scalars(
        sa.select(Recommendation.id).where(Recommendation.consultation_id == consultation_id)
    ):
        refresh_recommendation(rid)


# --- reading ----------------------------------------------------------------------------------


def read(
    theme_ids: list[int], recommendation_ids: list[int], combo: Combination
) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Members per theme and (answers considered, untranslated) per recommendation, among the
    answers of one filter combination: two indexed reads of a few rows each."""
    language, stage, group = combo
    counts: dict[int, int] = {}
    if theme_ids:
        counts = {
            theme_id: int(n)
            for theme_id, n in db.session.execute(
                sa.select(ThemeTally.theme_id, ThemeTally.n).where(
                    ThemeTally.theme_id.in_(theme_ids),
                    ThemeTally.language_filter == language,
                    ThemeTally.stage_filter == stage,
                    ThemeTally.group_filter == group,
                    ThemeTally.n != 0,
                )
            )
        }
    if not recommendation_ids:
        return counts, {}
    inputs = {
        rid: (int(considered), int(untranslated))
        for rid, considered, untranslated in db.session.execute(
            sa.select(
                ThemeInputTally.recommendation_id,
                ThemeInputTally.considered,
                ThemeInputTally.untranslated,
            ).where(
                ThemeInputTally.recommendation_id.in_(recommendation_ids),
                ThemeInputTally.language_filter == language,
                ThemeInputTally.stage_filter == stage,
                ThemeInputTally.group_filter == group,
            )
        )
    }
    return counts, inputs


def snapshot(recommendation_id: int) -> dict[tuple, tuple[int, ...]]:
    """The kept rows of one recommendation with a non-zero number (tests compare it with
    `recomputed`)."""
    found: dict[tuple, tuple[int, ...]] = {}
    for row in db.session.execute(
        sa.select(ThemeTally)
        .join(Theme, Theme.id == ThemeTally.theme_id)
        .where(Theme.recommendation_id == recommendation_id, ThemeTally.n != 0)
    ).scalars():
        found[("theme", row.theme_id, *_combo(row))] = (row.n,)
    for row in db.session.scalars(
        sa.select(ThemeInputTally).where(ThemeInputTally.recommendation_id == recommendation_id)
    ):
        if row.considered or row.untranslated:
            found[("inputs", recommendation_id, *_combo(row))] = (row.considered, row.untranslated)
    return found


def recomputed(recommendation_id: int) -> dict[tuple, tuple[int, ...]]:
    """What `snapshot` should hold, counted from the members and answers now."""
    consultation_id = _consultation_of(recommendation_id)
    members = db.session.execute(members_statement(consultation_id, _of(recommendation_id)))
    inputs = db.session.execute(
        inputs_statement(consultation_id, Response.recommendation_id == recommendation_id)
    )
    found: dict[tuple, tuple[int, ...]] = {}
    for kind, rows in (("theme", members), ("inputs", inputs)):
        for key, numbers in _expand(rows).items():
            if any(numbers):
                found[(kind, *key)] = tuple(numbers)
    return found


def _combo(row: ThemeTally | ThemeInputTally) -> Combination:
    return (row.language_filter, row.stage_filter, row.group_filter)
