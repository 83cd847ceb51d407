"""Database set-up: binding SQLAlchemy and Alembic, SQLite's settings for a server (write-ahead
logging, enforced foreign keys, a busy timeout, deleted content overwritten, a file only its owner
can read), participant pages read on PostgreSQL without a transaction around them, and scrubbing
deleted answers from disk after a deletion."""

from __future__ import annotations

import logging
import os
import stat
from contextlib import suppress
from typing import Any

import click
from flask import Flask, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from consult.core import paths
from consult.core.extensions import db

BUSY_TIMEOUT_MS = 5000
PRIVATE_FILE_MODE = 0o600

log = logging.getLogger(__name__)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; the busy timeout makes a second writer wait
    # instead of failing at once with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros instead of left in free space in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _make_private(database: str) -> None:
    """Create the database file readable by its owner only, or take group and world access away
    from an existing one. SQLite gives the -wal and -shm files it creates the database file's
    mode; existing ones are tightened too."""
    try:
        descriptor = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        pass
    except OSError:
        return  # a missing folder: SQLite reports it when it connects
    else:
        os.close(descriptor)
    for path in (database, f"{database}-wal", f"{database}-shm"):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, mode & 0o700)
        except FileNotFoundError:
            continue
        except OSError as error:  # not the file's owner: say so, the database still opens
            log.warning("cannot make %s private: %s", path, error.strerror)


def _private_file(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
    database = str(cargs[0]) if cargs else ""
    if database and database != ":memory:" and not cparams.get("uri"):
        _make_private(database)


def configure_sqlite(engine: Engine) -> None:
    if not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)
    if not event.contains(engine, "do_connect", _private_file):
        event.listen(engine, "do_connect", _private_file)


def init_database(app: Flask) -> None:
    """Bind SQLAlchemy and Alembic to the app; SQLite gets its settings on every connection."""
    from consult import models  # noqa: F401  (registers the tables with the metadata)

    db.init_app(app)
    app.teardown_appcontext(_end_session)  # runs before Flask-SQLAlchemy's own (reverse order)
    app.extensions["migrate"] = _MigrationsOnDemand(app)
    app.cli.add_command(_MigrationCommands(app))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.before_request(_read_participant_page_without_transaction)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", _refuse_writes_when_reading)


# --- participant pages read without BEGIN and ROLLBACK (PostgreSQL) ----------------------------
#
# A participant's GET reads one statement (two to four on home, about and review) and writes
# nothing. In a transaction psycopg sends BEGIN before it and the session's end sends ROLLBACK
# after it: two more round trips, and on the worker about 0.7 ms of CPU of a 4.7 ms question page
# (docs/benchmarks.md, "Participant pages under load"). Under READ COMMITTED, PostgreSQL's default,
# every statement already reads its own snapshot, so without the transaction the page reads the
# same rows. The connection is marked READ_ONLY; a statement that would write through it is
# refused (a page that must write calls `end_read_only()` first, which ends the read and lets the
# next statement begin an ordinary transaction). Staff sessions keep their transactions.

READ_ONLY = "consult_read_only"
_READING = frozenset(("GET", "HEAD"))
_STAFF_SESSION_KEY = "staff_token"  # nosec B105: login_state.TOKEN_KEY, a key name
_READS = ("SELECT", "WITH")


def _read_participant_page_without_transaction() -> None:
    if (
        request.method in _READING
        and request.blueprint == "participation"
        and _STAFF_SESSION_KEY not in session
        and not db.session().in_transaction()
    ):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READ_ONLY: True})


def end_read_only() -> None:
    """Before a write in a request that began reading without a transaction: the next statement
    starts an ordinary one (objects already loaded are read again)."""
    current = db.session()
    if current.in_transaction() and current.connection().get_execution_options().get(READ_ONLY):
        db.session.commit()  # nothing to commit: ends the read and gives the connection back


class WriteWhileReading(RuntimeError):
    """A page read without a transaction tried to write (see `end_read_only`)."""


def _refuse_writes_when_reading(
    connection: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    reading = connection.get_execution_options().get(READ_ONLY)
    if reading and not statement.lstrip()[:6].upper().startswith(_READS):
        raise WriteWhileReading(f"a write on a read-only page: {statement.split()[0]}")


# Alembic (through Flask-Migrate) only for `flask db` and the code that migrates (tests, load-demo
# set-ups): importing it costs about 0.1 s and 12 MB at every start of a web worker, which never
# migrates. Until something asks for it, app.extensions["migrate"] and the `db` command group are
# stand-ins that set Flask-Migrate up on first use; it then replaces them with its own.


def _set_up_migrations(app: Flask) -> Any:
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(paths.migrations_dir()))  # replaces both stand-ins
    return app.extensions["migrate"]


class _MigrationsOnDemand:
    """Stands in app.extensions["migrate"] (read by Flask-Migrate's functions and by env.py)."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(_set_up_migrations(self._app), name)


class _MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's command group, loaded when the command line asks for it."""

    def __init__(self, app: Flask) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._app = app

    def _commands(self) -> click.Group:
        _set_up_migrations(self._app)
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name: str | None, args: list[str], **extra: Any) -> click.Context:
        # The real group parses its options (-d, -x) and runs its own callback.
        return self._commands().make_context(info_name, args, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)


def _end_session(_error: BaseException | None) -> None:
    """Close the request's session, surviving a connection the database has cut.

    When PostgreSQL restarts (or fails over) during a request, the ROLLBACK that closing the
    session sends fails; raised from the app context's teardown, that error would escape Flask and
    turn a page already made (perhaps after a commit) into a 500. The dead connection is dropped
    from the pool (SQLAlchemy invalidates it), the session forgotten, and the next request takes a
    fresh connection (pool_pre_ping). See docs/benchmarks.md, "Under load and faults".
    """
    from sqlalchemy.exc import DBAPIError

    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database connection lost while closing a session (%s)", type(error).__name__)
        # Close its connections without the ROLLBACK: dropped from the pool, not reused.
        with suppress(DBAPIError):
            db.session.registry().invalidate()
        db.session.registry.clear()


def answer_tables() -> list[str]:
    """The tables that hold participants' words or profiles."""
    from consult.models import (
        Response,
        ResponseTranslation,
        SafeguardingCase,
        Submission,
        SubmissionGroup,
    )

    models = (Submission, SubmissionGroup, Response, ResponseTranslation, SafeguardingCase)
    return [model.__table__.name for model in models]


def scrub_deleted_rows() -> None:
    """After a commit that deleted answers: get the deleted text out of the database's files.

    SQLite (with secure_delete on) has already zeroed the rows in the database file, but the -wal
    file still holds the pages as they were: a TRUNCATE checkpoint copies the current pages back
    and empties it. PostgreSQL keeps deleted rows until VACUUM, which cannot run inside a
    transaction, so it runs on an autocommit connection; SKIP_LOCKED passes over a table that
    another VACUUM is working on, instead of making the participant wait.
    """
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            busy, _log_frames, _moved = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
        if busy:
            log.warning("the SQLite checkpoint after a deletion was blocked by a reader")
    elif engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{name}"' for name in answer_tables())
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"VACUUM (SKIP_LOCKED) {tables}")
