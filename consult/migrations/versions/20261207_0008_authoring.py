"""consultation authoring: per-consultation retention and small-group threshold, interface
languages, question wording, edit revisions, hidden recommendations and recommendation text versions

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
        # The interface languages offered to the consultation's participants.
        batch.add_column(
            sa.Column("interface_languages", sa.JSON(), nullable=False, server_default="[]")
        )
        # Optimistic concurrency: each organiser's edit raises it; a form sent with an older one
        # is a conflict, shown with both versions (docs/decisions.md, "Authoring").
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index(batch.f("ix_consultation_status"), ["status"], unique=False)

    with op.batch_alter_table("consultation_text") as batch:
        # The question wording; NULL keeps the interface's translated default.
        batch.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch.add_column(sa.Column("question_why", sa.Text(), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))

    with op.batch_alter_table("recommendation") as batch:
        # Raised when a change of meaning archives the text (recommendation_version).
        batch.add_column(
            sa.Column("text_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))

    op.create_table(
        "recommendation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_version_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_version")),
        sa.UniqueConstraint(
            "recommendation_id",
            "version",
            "language",
            name=op.f("uq_recommendation_version_recommendation_id_version_language"),
        ),
    )

    with op.batch_alter_table("response") as batch:
        # The text version of the recommendation the participant read when answering.
        batch.add_column(sa.Column("recommendation_version", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("response") as batch:
        batch.drop_column("recommendation_version")
    op.drop_table("recommendation_version")
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_column("revision")
        batch.drop_column("text_version")
    with op.batch_alter_table("consultation_text") as batch:
        batch.drop_column("revision")
        batch.drop_column("question_why")
        batch.drop_column("question")
    with op.batch_alter_table("consultation") as batch:
        batch.drop_index(batch.f("ix_consultation_status"))
        batch.drop_column("revision")
        batch.drop_column("interface_languages")
        batch.drop_constraint(batch.f("ck_consultation_retention_days_positive"), type_="check")
        batch.drop_constraint(
            batch.f("ck_consultation_small_group_threshold_at_least_3"), type_="check"
        )
        batch.drop_column("small_group_threshold")
        batch.drop_column("retention_days")
