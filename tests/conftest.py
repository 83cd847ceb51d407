"""Fixtures: a fresh app per test against SQLite and, when CONSULT_TEST_DATABASE_URL is set,
PostgreSQL.

Each backend's schema is built once per run through the Alembic migrations (so every run also proves
that `db upgrade` works from empty); after each test every table is emptied. In CI a missing
PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from consult import create_app
from consult.core.extensions import db
from consult.staff.accounts import passwords
from tests.support.browser import Browser

POSTGRES_URL = os.environ.get("CONSULT_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CONSULT_TEST_REDIS_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

if os.environ.get("CI") and not POSTGRES_URL:
    raise pytest.UsageError(
        "CI must set CONSULT_TEST_DATABASE_URL: the suite runs on PostgreSQL too."
    )


# The developer's shell must not reach the app under test. The CONSULT_TEST_ variables stay: they
# choose the test backends (read at import, here and in tests/core/test_redis_limits.py).
_SHELL_SETTINGS = ("SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG")
_TEST_BACKEND_SETTINGS = ("CONSULT_TEST_DATABASE_URL", "CONSULT_TEST_REDIS_URL")


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Each test gets an empty instance folder (never the checkout's, where `make run` writes
    config.py) and none of the developer's CONSULT_*, SECRET_KEY, DATABASE_URL or FLASK_DEBUG."""
    for name in list(os.environ):
        if name in _SHELL_SETTINGS or (
            name.startswith("CONSULT_") and name not in _TEST_BACKEND_SETTINGS
        ):
            monkeypatch.delenv(name)
    instance = tmp_path_factory.mktemp("instance")
    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(instance))
    return instance


def _fresh_postgres_database(url: str) -> str:
    target = make_url(url).set(drivername="postgresql+psycopg")
    name = f"{target.database or 'consult_test'}_{os.getpid()}"
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def make_test_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "consult.sqlite3"
        url = f"sqlite:///{path}"
    else:
        assert POSTGRES_URL
        url = _fresh_postgres_database(POSTGRES_URL)
    app = make_test_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if request.param == "postgresql":
        _drop_postgres_database(url)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if migrated_database.startswith("sqlite"):
        copy = tmp_path / "consult.sqlite3"
        shutil.copyfile(make_url(migrated_database).database, copy)
        return f"sqlite:///{copy}"
    return migrated_database


def _truncate_all_tables() -> None:
    """Empty every table. The audit log refuses TRUNCATE (a statement trigger): as the tables'
    owner, the cleanup switches that trigger off inside its own transaction, the way an owner
    could and the app's role (docs/deploy.md) cannot."""
    db.session.remove()
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate")
        )
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(
            sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate")
        )


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    yield app
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _truncate_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Extra apps on the test's database (another worker, other settings), closed afterwards."""
    made: list[Flask] = []

    def build(**overrides: object) -> Flask:
        made.append(make_test_app(database_url, **overrides))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def demo_app(app: Flask) -> Flask:
    """The app with the demo consultation loaded."""
    from consult.consultations.demo import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def browser(demo_app: Flask) -> Browser:
    return Browser(demo_app.test_client())


# Argon2 with the smallest parameters it accepts: a log-in in a test then costs microseconds instead
# of a tenth of a second. Production keeps argon2-cffi's RFC 9106 defaults (the module's own
# hasher, which tests/accounts/test_operations.py checks through this fixture's value).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Swap in CHEAP_HASHER for the test; returns the production hasher it replaced."""
    production = passwords._hasher
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    return production


@pytest.fixture
def redis_url() -> str:
    """The Redis server tests use (CONSULT_TEST_REDIS_URL): a failure in CI, a skip elsewhere."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set CONSULT_TEST_REDIS_URL (the machine runs Redis)")
        pytest.skip("CONSULT_TEST_REDIS_URL is not set")
    return REDIS_URL
