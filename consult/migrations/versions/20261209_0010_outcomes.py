"""published outcomes per recommendation (issue 11): "what we heard" and "what we will do" in each
language, beside the recommendation's text

Revision ID: 0010_outcomes
Revises: 0009_summaries
Create Date: 2026-12-09 10:00:00.000000

One row per (recommendation, language), shaped like `recommendation_text` (status, made_by), so the
same fallback and review rules apply. See consult/models/outcomes.py.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_outcomes"
down_revision = "0009_summaries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recommendation_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("will_do", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'reviewed')", name=op.f("ck_recommendation_outcome_status")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_outcome_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_outcome")),
        sa.UniqueConstraint(
            "recommendation_id",
            "language",
            name=op.f("uq_recommendation_outcome_recommendation_id_language"),
        ),
    )
    op.create_index(
        op.f("ix_recommendation_outcome_recommendation_id"),
        "recommendation_outcome",
        ["recommendation_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        op.f("ix_recommendation_outcome_recommendation_id"), table_name="recommendation_outcome"
    )
    op.drop_table("recommendation_outcome")
