"""Migration 0004 chains the events written before it, and can be undone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from consult.core.extensions import db
from tests.conftest import make_test_app

BEFORE_CHAIN = "0003_vocabulary_checks"

old_audit_event = sa.table(
    "audit_event",
    sa.column("at", sa.DateTime),
    sa.column("actor_label", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("old_state", sa.JSON),
    sa.column("new_state", sa.JSON),
)


@pytest.fixture
def empty_app(migrated_database: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of the backend under test, with no migration applied."""
    if migrated_database.startswith("sqlite"):
        yield make_test_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        return
    url = make_url(migrated_database)
    empty = url.set(database=f"{url.database}_chain_{os.getpid()}")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{empty.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{empty.database}"')
    app = make_test_app(empty.render_as_string(hide_password=False))
    yield app
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{empty.database}" WITH (FORCE)')
    admin.dispose()


def test_existing_events_are_chained_and_the_migration_can_be_undone(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    with empty_app.app_context():
        upgrade(revision=BEFORE_CHAIN)
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(old_audit_event),
                [
                    {
                        "at": datetime(2026, 11, 30, 9, 0, 0, 250000),
                        "actor_label": "admin@example.org",
                        "action": "staff.created",
                        "object_type": "staff_user",
                        "object_id": 1,
                        "old_state": None,
                        "new_state": {"roles": ["admin"], "اسم": "ü"},
                    },
                    {
                        "at": datetime(2026, 11, 30, 9, 5),
                        "actor_label": "",
                        "action": "submission.deleted_by_participant",
                        "object_type": "submission",
                        "object_id": 7,
                        "old_state": {"answers": 2},
                        "new_state": None,
                    },
                ],
            )
        upgrade()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 events, chain intact")

    with empty_app.app_context():
        downgrade(revision=BEFORE_CHAIN)
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("audit_event")}
        assert not {"hash", "previous_hash"} & columns
        # Still append-only after the downgrade (on SQLite the table copy dropped the triggers).
        with (
            pytest.raises(sa.exc.DatabaseError, match="append-only"),
            db.engine.begin() as connection,
        ):
            connection.exec_driver_sql("UPDATE audit_event SET action = 'x'")
        upgrade()
        db.engine.dispose()
    assert runner.invoke(args=["audit", "verify"]).output.startswith("OK: 2 events")
