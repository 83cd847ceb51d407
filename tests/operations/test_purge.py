"""`flask --app consult purge`: answers past their consultation's retention, expired drafts and
orphaned files are deleted, audited with counts; `--dry-run` deletes nothing."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import today, utcnow
from consult.models import AuditEvent, Consultation, Response, Submission
from tests.support.factories import draft_answers, submission
from tests.support.journey import SLUG


def close(app: Flask, days_ago: int, retention_days: int = 730) -> None:
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
        consultation.closes_on = today() - timedelta(days=days_ago)
        consultation.retention_days = retention_days
        db.session.commit()


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Submission)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Response)),
        )


def audit_events(app: Flask, prefix: str = "retention.") -> list[tuple[str, dict | None]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.new_state)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        ).all()
        return [tuple(row) for row in rows]


def purge(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def some_answers(app: Flask) -> None:
    submission(app, ["first answer", "second answer"])
    submission(app, ["third answer"])
    draft_answers(app, ["a draft"])


def test_answers_are_kept_until_the_last_day_of_retention(demo_app: Flask) -> None:
    some_answers(demo_app)
    close(demo_app, days_ago=730)  # the 730th day after closing: still kept
    output = purge(demo_app)
    assert counts(demo_app) == (3, 4)
    assert "Deleted 0 submission(s)" in output


def test_answers_past_retention_are_deleted_and_audited_with_counts(demo_app: Flask) -> None:
    some_answers(demo_app)
    close(demo_app, days_ago=731)
    output = purge(demo_app)
    assert counts(demo_app) == (0, 0)
    assert "Deleted 3 submission(s) with 4 answer(s) past retention" in output
    purged = [new for action, new in audit_events(demo_app) if action == "retention.answers_purged"]
    assert purged == [{"submissions": 3, "answers": 4}]
    # The consultation itself stays (its published outcome, its texts): only answers go.
    with demo_app.app_context():
        assert db.session.scalar(sa.select(Consultation.slug)) == SLUG


def test_a_shorter_retention_is_honoured(demo_app: Flask) -> None:
    some_answers(demo_app)
    close(demo_app, days_ago=31, retention_days=30)
    purge(demo_app)
    assert counts(demo_app) == (0, 0)


def test_a_consultation_without_a_closing_date_keeps_its_answers(demo_app: Flask) -> None:
    some_answers(demo_app)
    purge(demo_app)
    assert counts(demo_app) == (3, 4)


def test_dry_run_counts_and_deletes_nothing(demo_app: Flask) -> None:
    some_answers(demo_app)
    close(demo_app, days_ago=800)
    output = purge(demo_app, "--dry-run")
    assert "Would delete 3 submission(s) with 4 answer(s)" in output
    assert f"{SLUG}: retention ended" in output
    assert counts(demo_app) == (3, 4)
    assert audit_events(demo_app) == []


def test_expired_drafts_go_too(demo_app: Flask) -> None:
    submission(demo_app, ["kept"])
    draft_id = draft_answers(demo_app, ["abandoned"])
    with demo_app.app_context():
        draft = db.session.get(Submission, draft_id)
        draft.draft_expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert "1 expired draft(s)" in purge(demo_app, "--dry-run")
    assert "1 expired draft(s)" in purge(demo_app)
    assert counts(demo_app) == (1, 1)
    assert ("retention.drafts_purged", {"count": 1}) in audit_events(demo_app)


def test_orphaned_files_older_than_a_day_are_deleted(demo_app: Flask) -> None:
    exports = Path(demo_app.instance_path) / "exports"
    exports.mkdir(parents=True)
    old, recent = exports / "answers.csv", exports / "being-written.csv"
    old.write_text("id,text\n1,old\n")
    recent.write_text("id,text\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert "1 orphaned file(s)" in purge(demo_app, "--dry-run")
    assert old.exists()
    assert "1 orphaned file(s)" in purge(demo_app)
    assert not old.exists() and recent.exists()
    assert ("retention.files_purged", {"count": 1}) in audit_events(demo_app)
