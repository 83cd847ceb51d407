"""check constraints for the journey stage, age band, groups and reject reason

Revision ID: 0003_vocabulary_checks
Revises: 0002_staff
Create Date: 2026-12-02 15:00:00.000000
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_vocabulary_checks"
down_revision = "0002_staff"
branch_labels = None
depends_on = None

# The values as they were when this migration was written (see consult.vocab); a migration keeps
# its own copy, so a later change to a vocabulary needs a migration of its own.
JOURNEY_STAGES = ("origin", "transit", "destination", "prefer_not")
AGE_BANDS = ("under_18", "18_29", "30_44", "45_59", "60_plus", "prefer_not")
GROUPS = ("woman_or_girl", "under_18", "disability", "lgbtqi", "older_person")
REJECT_REASONS = ("spam", "abusive", "identifies_someone", "off_topic", "other")


def _one_of(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    allowed = f"{column} IN ({quoted})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed


@contextmanager
def _sqlite_foreign_keys_off() -> Iterator[None]:
    """On SQLite, batch mode copies each table and drops the old one. With foreign keys enforced,
    dropping `submission` or `response` would cascade-delete every answer, group, translation and
    safeguarding case, so enforcement is turned off for the copy and checked afterwards.

    SQLite ignores the PRAGMA inside a transaction: that happens when this migration runs in the
    same transaction as earlier ones (an upgrade from an empty database), when there is nothing to
    lose; with rows present the migration stops before changing anything.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    if not bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        yield  # not enforced on this connection: nothing to turn off or back on
        return
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        if bind.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM submission)").scalar():
            raise RuntimeError(
                "SQLite enforces foreign keys inside the migration's transaction, so rebuilding "
                "the tables would delete answers: upgrade to 0002_staff first, then run "
                "`flask db upgrade` again to apply this migration in a transaction of its own."
            )
        yield
        return
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the table copy: {broken}")
    # Still inside the transaction, so the PRAGMA would be ignored here: turn enforcement back on
    # when the connection goes back to the pool, after the commit.
    raw = bind.connection.dbapi_connection

    def enforce_again(dbapi_connection, _record):
        if dbapi_connection is raw:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    sa.event.listen(bind.engine.pool, "checkin", enforce_again)


def upgrade():
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("submission", schema=None) as batch_op:
            batch_op.create_check_constraint(
                batch_op.f("ck_submission_stage"), _one_of("stage", JOURNEY_STAGES, nullable=True)
            )
            batch_op.create_check_constraint(
                batch_op.f("ck_submission_age_band"),
                _one_of("age_band", AGE_BANDS, nullable=True),
            )
        with op.batch_alter_table("submission_group", schema=None) as batch_op:
            batch_op.create_check_constraint(
                batch_op.f("ck_submission_group_group"), _one_of('"group"', GROUPS)
            )
        with op.batch_alter_table("response", schema=None) as batch_op:
            batch_op.create_check_constraint(
                batch_op.f("ck_response_moderation_reason"),
                _one_of("moderation_reason", REJECT_REASONS, nullable=True),
            )


def downgrade():
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("response", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_response_moderation_reason"), type_="check")
        with op.batch_alter_table("submission_group", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_submission_group_group"), type_="check")
        with op.batch_alter_table("submission", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_submission_age_band"), type_="check")
            batch_op.drop_constraint(batch_op.f("ck_submission_stage"), type_="check")
