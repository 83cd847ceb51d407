"""On PostgreSQL the app can run as a role that does not own the tables (docs/deploy.md): it works
as usual, but cannot rewrite, empty or unprotect the audit log."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from consult import audit
from consult.core.database import scrub_deleted_rows
from consult.core.extensions import db
from consult.participation import operations as participation
from tests.audit.support import backend
from tests.conftest import make_test_app
from tests.support.factories import staff_member, submission

DEPLOY_NOTES = Path(__file__).parents[2] / "docs" / "deploy.md"
DOCUMENTED_ROLE = "consult_app"
APP_ROLE = f"consult_app_test_{os.getpid()}"


def documented_grants(role: str) -> list[str]:
    """The statements of the "grants for the app role" block in docs/deploy.md, for `role`."""
    block = re.search(
        r"```sql\n-- grants for the app role\n(.*?)```", DEPLOY_NOTES.read_text(), re.S
    )
    assert block, "docs/deploy.md lost its grants block"
    statements = [s.strip() for s in block.group(1).split(";") if s.strip()]
    return [re.sub(rf"\b{DOCUMENTED_ROLE}\b", role, s) for s in statements]


@pytest.fixture
def app_as_role(demo_app: Flask) -> Iterator[Flask]:
    """The demo app's database, reached as a login role granted only what the notes grant."""
    if backend(demo_app) != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    with demo_app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{APP_ROLE}"')
        connection.exec_driver_sql(f'CREATE ROLE "{APP_ROLE}" LOGIN')
        for statement in documented_grants(APP_ROLE):
            connection.exec_driver_sql(statement)
        url = db.engine.url.set(username=APP_ROLE, password=None)
    app = make_test_app(url.render_as_string(hide_password=False))
    yield app
    with app.app_context():
        db.engine.dispose()
    with demo_app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(f'DROP OWNED BY "{APP_ROLE}"')
        connection.exec_driver_sql(f'DROP ROLE "{APP_ROLE}"')


def test_the_app_role_works_but_cannot_touch_the_audit_log(app_as_role: Flask) -> None:
    assert make_url(str(app_as_role.config["SQLALCHEMY_DATABASE_URI"])).username == APP_ROLE
    # Normal operations: an account (audited), a participant's answers and their deletion.
    staff_member(app_as_role, "admin@example.org", "admin")
    sent = submission(app_as_role, ["Lawyers who speak our language."])
    with app_as_role.app_context():
        audit.record("test.as_app_role", actor_label="system")
        participation.delete_submission(participation.find_by_receipt(sent.receipt))
        db.session.commit()
        scrub_deleted_rows()  # VACUUM is skipped (not the owner) without failing

    refused = [
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate",
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "SET session_replication_role = replica",
    ]
    with app_as_role.app_context():
        for statement in refused:
            with (
                pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
                db.engine.begin() as connection,
            ):
                connection.exec_driver_sql(statement)
    result = app_as_role.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.output.startswith("OK: 3 events, chain intact"), result.output
