"""consultation authoring: per-consultation retention and small-group threshold (issue 12 adds more)

Revision ID: 0008_authoring
Revises: 0007_translation_desk
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_authoring"
down_revision = "0007_translation_desk"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation") as batch:
        # Answers are deleted this many days after the consultation closes (the consent text
        # promises two years); the purge command reads it.
        batch.add_column(
            sa.Column("retention_days", sa.Integer(), nullable=False, server_default="730")
        )
        # Breakdown cells with fewer participants than this show "<N"; never below 3.
        batch.add_column(
            sa.Column("small_group_threshold", sa.Integer(), nullable=False, server_default="5")
        )
        batch.create_check_constraint(
            batch.f("ck_consultation_small_group_threshold_at_least_3"),
            "small_group_threshold >= 3",
        )
        batch.create_check_constraint(
            batch.f("ck_consultation_retention_days_positive"), "retention_days > 0"
        )


def downgrade():
    with op.batch_alter_table("consultation") as batch:
        batch.drop_constraint(batch.f("ck_consultation_retention_days_positive"), type_="check")
        batch.drop_constraint(
            batch.f("ck_consultation_small_group_threshold_at_least_3"), type_="check"
        )
        batch.drop_column("small_group_threshold")
        batch.drop_column("retention_days")
