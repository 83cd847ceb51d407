"""The databases a benchmark runs on: a throw-away SQLite file, and a PostgreSQL database of its own
made anew (and dropped afterwards) on the local server.

`fresh_postgres` refuses the test suite's, the app's and the server's own databases and any server
but this machine's: the benchmark drops the database it is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PROTECTED = (None, "consult_test", "consult", "postgres")
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _admin(url: str) -> tuple[sa.Engine, str]:
    target = make_url(url)
    if target.database in PROTECTED:
        raise SystemExit("use a database of its own for the benchmark: it is dropped")
    if target.host not in LOCAL_HOSTS:
        raise SystemExit("the benchmark's PostgreSQL must be on 127.0.0.1: it drops the database")
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    return engine, str(target.database)


def fresh_postgres(url: str) -> str:
    admin, name = _admin(url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def drop_postgres(url: str) -> None:
    admin, name = _admin(url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def on_each_database(
    run: Callable[[str, str], None], filename: str, postgres: str | None, skip_sqlite: bool
) -> None:
    """`run(label, url)` on a new SQLite file (unless `skip_sqlite`), then on a new PostgreSQL
    database at `postgres` (when given), dropped at the end."""
    if not skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/{filename}")
    if postgres:
        try:
            run("PostgreSQL", fresh_postgres(postgres))
        finally:
            drop_postgres(postgres)
