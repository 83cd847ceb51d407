"""Helpers for the audit tests: the backend under test, and tampering as a database superuser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy.engine import Connection

from consult.core.extensions import db

SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace")


def backend(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


@contextmanager
def without_triggers(app: Flask) -> Iterator[Connection]:
    """A transaction in which the audit log's triggers do not fire, as someone who owns the
    database could arrange: on PostgreSQL a superuser's `session_replication_role = replica` (for
    this transaction only), on SQLite dropping the triggers (the test's own copy of the file)."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for name in SQLITE_TRIGGERS:
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        yield connection
