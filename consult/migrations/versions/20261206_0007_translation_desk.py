"""translation desk: who said "I can't read this language" for which answer and target language

Revision ID: 0007_translation_desk
Revises: 0006_list_indexes
Create Date: 2026-12-06 10:00:00.000000

One row per (answer, target language, translator). The desk leaves such a pair out of that
translator's queue; when every translator has flagged it, the desk says nobody can read it yet.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_translation_desk"
down_revision = "0006_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "translation_skip",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_translation_skip_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_translation_skip_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "language", "staff_user_id", name=op.f("pk_translation_skip")
        ),
    )


def downgrade():
    op.drop_table("translation_skip")
