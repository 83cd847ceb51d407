"""The audit log's hash chain: sealing, `audit verify`, tampering, and parallel appends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from itertools import pairwise

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from consult import audit
from consult.core.extensions import db
from consult.models import AuditEvent
from consult.models.audit import GENESIS_HASH, HASHED_FIELDS, event_hash
from tests.audit.support import backend, without_triggers
from tests.support.factories import staff_member


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def _record_three(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        for number in (1, 2, 3):
            audit.record("test.step", actor_label="x@example.org", object_id=number)
            db.session.commit()
    return _events(app)


def _verify(app: Flask, *args: str) -> tuple[int, str]:
    runner: FlaskCliRunner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def test_each_event_is_chained_to_the_one_before(app: Flask) -> None:
    staff_member(app, "admin@example.org", "admin")  # staff.created, through the app
    with app.app_context():
        # Several events in one flush, odd states, an aware time: all stored as they were hashed.
        audit.record("test.unicode", actor_label="مدير@example.org", new={"نص": "ok", "b": [1, 2]})
        audit.record("test.tuple", old={"ids": (3, 4), 5: None}, new={"nested": {"z": 1, "a": 0.5}})
        event = audit.record("test.aware_time")
        event.at = datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=UTC)
        db.session.commit()
    events = _events(app)
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in pairwise(events):
        assert after.previous_hash == before.hash
    for event in events:
        assert event.hash == event_hash({f: getattr(event, f) for f in HASHED_FIELDS})
    assert events[2].old_state == {"ids": [3, 4], "5": None}
    assert events[3].at == datetime(2026, 12, 3, 10, 0, 0, 123456)

    code, output = _verify(app)
    assert code == 0
    assert output.startswith("OK: 4 events, chain intact")
    assert events[-1].hash in output  # the hash to note elsewhere


def test_an_empty_log_verifies(app: Flask) -> None:
    code, output = _verify(app)
    assert code == 0 and output.startswith("OK: 0 events, chain intact")


def test_verify_reports_an_event_changed_behind_the_triggers(app: Flask) -> None:
    events = _record_three(app)
    with without_triggers(app) as connection:
        connection.execute(
            sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(object_id=99)
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN: event {events[1].id} its fields do not match its hash" in output


def test_verify_reports_the_event_after_a_rewritten_and_resealed_one(app: Flask) -> None:
    """Rewriting an event and its own hash breaks the link from the next event."""
    events = _record_three(app)
    forged = {f: getattr(events[1], f) for f in HASHED_FIELDS} | {"object_id": 99}
    with without_triggers(app) as connection:
        connection.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == events[1].id)
            .values(object_id=99, hash=event_hash(forged))
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN: event {events[2].id} does not follow event {events[1].id}" in output


def test_verify_reports_the_gap_left_by_a_deleted_event(app: Flask) -> None:
    events = _record_three(app)
    with without_triggers(app) as connection:
        connection.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[1].id))
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN: event {events[2].id} does not follow event {events[0].id}" in output
    assert "1 event(s) before it check out" in output


def test_an_anchor_catches_removed_latest_events(app: Flask) -> None:
    """The chain alone cannot show that its last events were removed (or that all of it was
    rewritten consistently); a hash noted elsewhere can."""
    events = _record_three(app)
    code, output = _verify(app, "--anchor", events[2].hash)
    assert code == 0 and output.startswith("OK: 3 events")
    with without_triggers(app) as connection:
        connection.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[2].id))
    assert _verify(app)[0] == 0
    code, output = _verify(app, "--anchor", events[2].hash)
    assert code == 1
    assert f"the anchor {events[2].hash} is not in the chain of 2 event(s)" in output


def test_sqlite_refuses_insert_or_replace_over_an_event(app: Flask) -> None:
    if backend(app) != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    events = _record_three(app)
    head = events[-1]
    at = "2026-12-03 10:00:00.000000"
    with app.app_context():
        for values in (
            # Overwrite event 2 in place (REPLACE deletes without firing DELETE triggers) ...
            (events[1].id, events[1].previous_hash, "e" * 64),
            # ... or remove event 2 by colliding with its previous_hash under a new id.
            (head.id + 1, events[1].previous_hash, "f" * 64),
            # ... or with its hash.
            (head.id + 1, head.hash, events[1].hash),
        ):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                db.engine.begin() as connection,
            ):
                connection.exec_driver_sql(
                    "INSERT OR REPLACE INTO audit_event "
                    "(id, at, actor_label, action, previous_hash, hash) "
                    "VALUES (?, ?, '', 'forged', ?, ?)",
                    (values[0], at, values[1], values[2]),
                )
    assert [(e.id, e.action, e.hash) for e in _events(app)] == [
        (e.id, e.action, e.hash) for e in events
    ]
    assert _verify(app)[0] == 0


def test_postgresql_refuses_truncate_of_the_log(app: Flask) -> None:
    if backend(app) != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    events = _record_three(app)
    with app.app_context():
        for statement in ("TRUNCATE audit_event", "TRUNCATE staff_user CASCADE"):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                db.engine.begin() as connection,
            ):
                connection.exec_driver_sql(statement)
    assert len(_events(app)) == len(events)
    assert _verify(app)[0] == 0


def test_parallel_appends_form_one_chain(app: Flask) -> None:
    """Eight requests, each on its own connection, released at once by a barrier: every one reads
    before it writes and writes two events in two flushes. The chain must not fork."""
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def append(number: int) -> None:
        try:
            with app.app_context():
                db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                barrier.wait(timeout=30)
                audit.record("test.parallel", actor_label=f"thread-{number}", new={"step": 1})
                db.session.flush()
                audit.record("test.parallel", actor_label=f"thread-{number}", new={"step": 2})
                db.session.commit()
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    code, output = _verify(app)
    assert code == 0 and output.startswith(f"OK: {2 * threads_count} events, chain intact")
    # One request's events are never interleaved with another's.
    labels = [event.actor_label for event in _events(app)]
    assert labels[::2] == labels[1::2]
