"""Deleted answers leave the database's files, the SQLite file is private, purges are audited."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from consult import create_app
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import AuditEvent, Submission
from tests.audit.support import backend
from tests.conftest import TEST_SECRET
from tests.support.browser import Browser
from tests.support.factories import draft_answers, submission

SECRET_TEXT = "Okapi-distinctive-phrase-5521 about my cousin in Tripoli"


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The usual umask (files readable by everyone), whatever the test runner's is."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _sqlite_files(app: Flask) -> list[Path]:
    with app.app_context():
        database = Path(str(db.engine.url.database))
    return [p for p in (database, Path(f"{database}-wal")) if p.exists()]


def _files_hold(app: Flask, text: str) -> bool:
    return any(text.encode() in path.read_bytes() for path in _sqlite_files(app))


def _vacuum_count(app: Flask) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'response'"
        ).scalar_one()


def test_a_deleted_answer_is_gone_from_the_database_files(demo_app: Flask) -> None:
    sent = submission(demo_app, [SECRET_TEXT])
    if backend(demo_app) == "sqlite":
        assert _files_hold(demo_app, SECRET_TEXT)  # the check can see the text while it exists
    else:
        vacuums = _vacuum_count(demo_app)
    phone = Browser(demo_app.test_client())
    phone.get("/en/r/")
    phone.submit({"code": sent.receipt})
    page = phone.submit({"confirm": "y"}, action_contains="/delete")
    assert page.url == "/en/r/deleted"
    if backend(demo_app) == "sqlite":
        assert not _files_hold(demo_app, SECRET_TEXT)
    else:
        assert _vacuum_count(demo_app) == vacuums + 1


def test_purged_drafts_are_gone_from_the_files_and_the_purge_is_audited(demo_app: Flask) -> None:
    draft = draft_answers(demo_app, [SECRET_TEXT])
    with demo_app.app_context():
        db.session.get(Submission, draft).draft_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = demo_app.test_cli_runner().invoke(args=["purge-drafts"])
    assert result.exit_code == 0 and "Purged 1" in result.output
    if backend(demo_app) == "sqlite":
        assert not _files_hold(demo_app, SECRET_TEXT)
    with demo_app.app_context():
        [event] = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "retention.drafts_purged")
        ).all()
        assert (event.actor_id, event.actor_label) == (None, "purge-drafts")
        assert event.new_state == {"count": 1}


def test_the_sqlite_files_are_readable_by_their_owner_only(
    tmp_path: Path, wide_umask: None
) -> None:
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"")
    existing.chmod(0o644)  # made by an earlier version, or copied
    for path in (tmp_path / "new.sqlite3", existing):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": TEST_SECRET,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            }
        )
        with app.app_context():
            with db.engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
                connection.exec_driver_sql("INSERT INTO note VALUES ('x')")
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
                f.name: 0o600 for f in files
            }
            db.engine.dispose()
