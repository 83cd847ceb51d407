"""content languages: review marks, drafts shown per language (issue 12)

Revision ID: 0011_content_review
Revises: 0010_outcomes
Create Date: 2026-12-10 10:00:00.000000

Each text row (a consultation's, a recommendation's) records who marked it reviewed and when. A
consultation lists the languages in which participants also see unreviewed drafts, labelled
(docs/decisions.md, "Content languages, preview and interchange (issue 12)").
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_content_review"
down_revision = "0010_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(
            sa.Column("drafts_shown_languages", sa.JSON(), nullable=False, server_default="[]")
        )
    for table in ("consultation_text", "recommendation_text"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reviewed_by", sa.String(length=200), nullable=True))
            batch.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in ("recommendation_text", "consultation_text"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reviewed_at")
            batch.drop_column("reviewed_by")
    with op.batch_alter_table("consultation") as batch:
        batch.drop_column("drafts_shown_languages")
