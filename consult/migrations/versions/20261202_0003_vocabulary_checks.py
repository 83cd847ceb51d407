"""check constraints for the journey stage, age band, groups and reject reason

Revision ID: 0003_vocabulary_checks
Revises: 0002_staff
Create Date: 2026-12-02 15:00:00.000000
"""

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


def upgrade():
    # consult/migrations/env.py turns SQLite's foreign keys off while the tables are copied.
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
    # consult/migrations/env.py turns SQLite's foreign keys off while the tables are copied.
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_response_moderation_reason"), type_="check")
    with op.batch_alter_table("submission_group", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_submission_group_group"), type_="check")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_submission_age_band"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_submission_stage"), type_="check")
