"""The themes' kept counts per filter combination (`consult.themes.tallies`) stay equal to the
grouped statements over the theme members and answers (SQLite and PostgreSQL): after a theme run,
an organiser's move, split and merge, a participant's deletion and the retention purge, through
the operations that change them; the filtered read shows the same figures as those statements;
the migration fills them from existing members."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from consult.core.extensions import db
from consult.core.timeutil import today
from consult.models import Consultation, Response, StaffUser, Submission
from consult.models.theme_tallies import ThemeInputTally, ThemeTally
from consult.models.themes import Theme
from consult.participation import operations as participation
from consult.retention.operations import purge
from consult.summaries.queries import DashboardFilters, _submitted
from consult.themes import operations, queries
from consult.themes import tallies as theme_tallies
from tests.themes.support import approve
from tests.themes.test_filters import _person, _world

# The filters of tests/themes/test_filters.py that the kept counts answer (no date range).
FILTERS = [
    DashboardFilters(language="fr"),
    DashboardFilters(language="en"),
    DashboardFilters(stage="transit"),
    DashboardFilters(stage="destination"),
    DashboardFilters(language="en", stage="transit"),
    DashboardFilters(group="disability"),
    DashboardFilters(language="en", group="disability"),
]


def assert_kept_equals_counted(world: dict) -> None:
    """The kept rows equal their recomputation, and for every filter the kept read gives what the
    grouped statements over the members and answers count now."""
    rid, cid = world["rid"], world["cid"]
    assert theme_tallies.snapshot(rid) == theme_tallies.recomputed(rid)
    theme_ids = list(
        db.session.scalars(
            sa.select(Theme.id).where(Theme.recommendation_id == rid, Theme.discarded.is_(False))
        )
    )
    # Unfiltered: each theme's members, as the page shows them.
    unfiltered = queries.themes_for_consultation(cid)[rid]
    members = queries._member_counts(theme_ids, None)
    assert {t.id: t.answer_count for t in unfiltered.themes} == {
        t: members.get(t, 0) for t in theme_ids
    }
    for filters in FILTERS:
        in_scope = _submitted(cid, filters)
        counted = queries._member_counts(theme_ids, in_scope)
        inputs = queries._filtered_inputs(cid, [rid], in_scope)
        combo = theme_tallies.combination(filters)
        kept_counts, kept_inputs = theme_tallies.read(theme_ids, [rid], combo)
        assert kept_counts == {t: n for t, n in counted.items() if n}, filters
        assert kept_inputs.get(rid, (0, 0)) == inputs.get(rid, (0, 0)), filters
        shown = queries.themes_for_consultation(cid, filters=filters)[rid]
        assert shown.answers_considered == inputs.get(rid, (0, 0))[0]
        assert {t.id: t.answer_count for t in shown.themes} == {
            t: counted.get(t, 0) for t in theme_ids
        }


def _organiser() -> StaffUser:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "org@example.org"))


def test_kept_theme_counts_follow_runs_edits_deletions_and_purge(demo_app: Flask) -> None:
    world = _world(demo_app)  # a theme run over 66 approved answers
    with demo_app.app_context():
        assert theme_tallies.snapshot(world["rid"]), "the run kept counts"
        assert_kept_equals_counted(world)
        # Each combination is one row per theme: the French answers are all in transit.
        fr = theme_tallies.combination(DashboardFilters(language="fr"))
        assert sum(theme_tallies.read(list(world["members"]), [], fr)[0].values()) >= 6

        # An organiser moves a French answer to another theme.
        moved = min(world["french"])
        source = next(t for t in world["members"] if moved in world["members"][t])
        target = next(t for t in world["members"] if moved not in world["members"][t])
        operations.move_answer(
            moved, db.session.get(Theme, source), db.session.get(Theme, target), _organiser()
        )
        db.session.commit()
        assert_kept_equals_counted(world)

        # Splits two answers of the largest theme into a new one, then merges it back.
        largest = max(world["members"], key=lambda t: len(world["members"][t]))
        chosen = sorted(world["members"][largest] - {moved})[:2]
        new = operations.split(db.session.get(Theme, largest), chosen, "Two", _organiser())
        db.session.commit()
        assert_kept_equals_counted(world)
        operations.merge(db.session.get(Theme, largest), new, _organiser())
        db.session.commit()
        assert_kept_equals_counted(world)

        # A participant in the group "disability" and one writing in French delete their answers.
        for response_id in (min(world["disability"]), max(world["french"])):
            response = db.session.get(Response, response_id)
            participation.delete_submission(db.session.get(Submission, response.submission_id))
            db.session.commit()
            assert_kept_equals_counted(world)
        french = queries.themes_for_consultation(
            world["cid"], filters=DashboardFilters(language="fr")
        )[world["rid"]]
        assert (french.answers_considered, french.untranslated) == (5, 5)

    # A new approval: the run counts it.
    _person(demo_app, "les billets de bus coûtent trop cher pour les enfants", lang="fr")
    with demo_app.app_context():
        new_id = db.session.scalar(sa.select(sa.func.max(Response.id)))
    approve(demo_app, [new_id])
    with demo_app.app_context():
        assert_kept_equals_counted(world)
        french = queries.themes_for_consultation(
            world["cid"], filters=DashboardFilters(language="fr")
        )[world["rid"]]
        assert french.answers_considered == 6

        # The retention purge deletes every answer: nothing is kept.
        consultation = db.session.get(Consultation, world["cid"])
        consultation.closes_on = today() - timedelta(days=consultation.retention_days + 1)
        db.session.commit()
        purge(Path(current_app.instance_path))
        db.session.commit()
        assert theme_tallies.snapshot(world["rid"]) == {}
        for model in (ThemeTally, ThemeInputTally):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_the_migration_fills_the_theme_counts_from_existing_members(demo_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    world = _world(demo_app)
    with demo_app.app_context():
        expected = theme_tallies.snapshot(world["rid"])
        assert expected
        db.session.remove()
        downgrade(revision="0015_export_files")
        upgrade()
        assert theme_tallies.snapshot(world["rid"]) == expected
        assert_kept_equals_counted(world)
