"""The dashboard's kept counts stay equal to a recomputation from the answers (SQLite and
PostgreSQL): after submissions, a participant's deletion and the retention purge, through the
domain operations that change them; the migration fills them from existing answers; `flask
dashboard rebuild` repairs them; the page never shows numbers older than the answers."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from consult.core.config import draft_lifetime
from consult.core.extensions import db
from consult.core.timeutil import today
from consult.models import Consultation, DashboardTally, Submission
from consult.participation import operations as participation
from consult.retention.operations import purge
from consult.summaries import tallies
from consult.summaries.queries import DashboardFilters, group_stance_counts, stance_cube
from tests.support.factories import staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in

PEOPLE = [
    # language, stances by recommendation position, stage, groups
    ("en", ["agree", "disagree", None], "transit", ["disability", "woman_or_girl"]),
    ("ar", ["agree", "agree", "partly"], "destination", ["woman_or_girl"]),
    ("ar", ["not_sure", None, "agree"], None, []),
    ("fa", ["disagree", "agree"], "origin", ["older_person", "disability", "lgbtqi"]),
    ("en", ["agree"], "prefer_not", []),
]


def _consultation_id() -> int:
    return db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == SLUG))


def send(language: str, stances: list[str | None], stage: str | None, groups: list[str]) -> int:
    consultation = participation.get_open_consultation(SLUG)
    draft = participation.start_draft(consultation, language, draft_lifetime(current_app.config))
    for recommendation, stance in zip(consultation.recommendations, stances, strict=False):
        participation.save_answer(draft, recommendation, stance, "", language)
    participation.save_profile(draft, stage, None, groups, False)
    participation.submit(draft, current_app.config["SECRET_KEY"])
    db.session.commit()
    return draft.id


def assert_no_drift() -> None:
    """The kept rows equal the GROUP BY over the answers, and their sums equal the statements
    the dashboard used before (over every answer) for the overall and group breakdowns."""
    consultation_id = _consultation_id()
    kept = tallies.snapshot(consultation_id)
    assert kept == tallies.recomputed(consultation_id)
    cube: Counter[tuple] = Counter()
    groups: Counter[tuple] = Counter()
    for key, n in kept.items():
        if key[0] != "dashboard_tally" or key[3:6] != (tallies.ANY,) * 3:
            continue  # the unfiltered combination only
        _table, _cid, rec, _lf, _sf, _gf, dimension, category, stance = key
        if dimension == "language":
            cube[(rec, category, stance)] += n
        elif dimension == "group":
            groups[(rec, category, stance)] += n
    filters = DashboardFilters()
    scanned: Counter[tuple] = Counter()
    for row in stance_cube(consultation_id, filters):
        scanned[(row.recommendation_id, row.language, row.stance)] += row.count
    assert cube == scanned
    assert dict(groups) == group_stance_counts(consultation_id, filters)
    submitted = db.session.scalar(
        sa.select(sa.func.count()).where(
            Submission.consultation_id == consultation_id, Submission.state == "submitted"
        )
    )
    unfiltered_days = [
        n for key, n in kept.items() if key[0] == "dashboard_day" and key[3:] == ("*",) * 3
    ]
    assert sum(unfiltered_days) == submitted


def test_kept_counts_follow_submit_delete_and_purge(demo_app: Flask) -> None:
    with demo_app.app_context():
        ids = [send(*person) for person in PEOPLE]
        # A draft never counts.
        consultation = participation.get_open_consultation(SLUG)
        participation.start_draft(consultation, "en", draft_lifetime(current_app.config))
        db.session.commit()
        assert_no_drift()
        kept = tallies.snapshot(_consultation_id())
        assert sum(
            n for key, n in kept.items() if key[0] == "dashboard_day" and key[3:] == ("*",) * 3
        ) == len(PEOPLE)
        # A person in three groups counts once in each group's row, under each group's filter.
        in_groups = {
            k[5]: n
            for k, n in kept.items()
            if k[0] == "dashboard_tally" and k[3:5] == ("*", "*") and k[6:8] == ("group", "lgbtqi")
        }
        assert set(in_groups) == {"*", "disability", "lgbtqi", "older_person"}
        version = tallies.version(_consultation_id())

        participation.delete_submission(db.session.get(Submission, ids[0]))
        db.session.commit()
        assert_no_drift()
        assert tallies.version(_consultation_id()) > version

        consultation = db.session.get(Consultation, _consultation_id())
        consultation.closes_on = today() - timedelta(days=consultation.retention_days + 1)
        db.session.commit()
        purge(Path(current_app.instance_path))
        db.session.commit()
        assert_no_drift()
        assert tallies.snapshot(_consultation_id()) == {}


def test_rebuild_command_repairs_counts(demo_app: Flask) -> None:
    with demo_app.app_context():
        for person in PEOPLE:
            send(*person)
        db.session.execute(sa.update(DashboardTally).values(n=DashboardTally.n + 3))
        db.session.commit()
        assert tallies.snapshot(_consultation_id()) != tallies.recomputed(_consultation_id())
    result = demo_app.test_cli_runner().invoke(args=["dashboard", "rebuild", SLUG])
    assert result.exit_code == 0, result.output
    assert "row(s) differed" in result.output
    with demo_app.app_context():
        assert_no_drift()
    result = demo_app.test_cli_runner().invoke(args=["dashboard", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "0 row(s) differed" in result.output
    result = demo_app.test_cli_runner().invoke(args=["dashboard", "rebuild", "no-such-thing"])
    assert result.exit_code != 0


def test_the_migration_fills_the_counts_from_existing_answers(demo_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    with demo_app.app_context():
        for person in PEOPLE:
            send(*person)
        expected = tallies.snapshot(_consultation_id())
        db.session.remove()
        downgrade(revision="0013_dashboard")
        upgrade()
        assert tallies.snapshot(_consultation_id()) == expected
        assert_no_drift()


def participants_shown(page: str) -> str:
    found = re.search(r"<dt>Participants</dt><dd>([^<]*)</dd>", page)
    assert found, page[:2000]
    return found.group(1)


def test_the_page_shows_new_numbers_at_once(demo_app: Flask) -> None:
    staff_member(demo_app, "organiser@example.org", "organiser")
    browser = log_in(demo_app, "organiser@example.org")
    with demo_app.app_context():
        for person in PEOPLE:
            send(*person)
    url = f"/staff/c/{SLUG}/"
    assert participants_shown(browser.get(url).html) == "5"
    assert participants_shown(browser.get(url).html) == "5"
    with demo_app.app_context():
        send("en", ["agree"], None, [])
    assert participants_shown(browser.get(url).html) == "6"
    with demo_app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(Submission.id)))
        participation.delete_submission(db.session.get(Submission, newest))
        db.session.commit()
    assert participants_shown(browser.get(url).html) == "5"
