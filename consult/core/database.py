"""Database set-up: binding SQLAlchemy and Alembic, and SQLite's settings for a server (write-ahead
logging, enforced foreign keys, a busy timeout)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from consult.core import paths
from consult.core.extensions import db, migrate

BUSY_TIMEOUT_MS = 5000


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; the busy timeout makes a second writer wait
    # instead of failing at once with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_sqlite(engine: Engine) -> None:
    if not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)


def init_database(app: Flask) -> None:
    """Bind SQLAlchemy and Alembic to the app; SQLite gets its settings on every connection."""
    from consult import models  # noqa: F401  (registers the tables with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(paths.migrations_dir()))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
