"""/healthz and /readyz: what a proxy sees when the app, its database or its schema is not ready."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.health import migration_heads
from tests.conftest import make_test_app


def test_healthy_app_answers_ok_without_a_cookie(app: Flask) -> None:
    client = app.test_client()
    for path, body in (
        ("/healthz", {"status": "ok", "database": "ok"}),
        ("/readyz", {"status": "ready", "migrations": "done"}),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get_json() == body
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers
        assert "Content-Security-Policy" in response.headers


@pytest.fixture
def behind_by_one_migration(app: Flask) -> Iterator[Flask]:
    """The database one migration behind the code, as after deploying before `db upgrade`."""
    (head,) = migration_heads()
    with app.app_context():
        previous = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert previous == head
        db.session.execute(
            sa.text("UPDATE alembic_version SET version_num = '0011_content_review'")
        )
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.execute(
                sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
            db.session.commit()


def test_readiness_refuses_traffic_while_migrations_are_pending(behind_by_one_migration) -> None:
    client = behind_by_one_migration.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "migrations": "pending"}
    # Alive all the same: a restart would not help, the migration will.
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        "sqlite:////nonexistent-folder/consult.sqlite3",
    ],
)
def test_unreachable_database_gives_503_and_no_details(url: str) -> None:
    app = make_test_app(url)
    client = app.test_client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
        assert "127.0.0.1" not in response.get_data(as_text=True)


def test_health_checks_write_nothing(app: Flask) -> None:
    with app.app_context():
        before = db.session.execute(sa.text("SELECT count(*) FROM audit_event")).scalar()
    client = app.test_client()
    for _ in range(3):
        client.get("/healthz")
        client.get("/readyz")
    with app.app_context():
        after = db.session.execute(sa.text("SELECT count(*) FROM audit_event")).scalar()
    assert after == before
