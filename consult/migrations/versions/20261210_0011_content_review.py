"""content languages: review marks, drafts shown per language (issue 12)

Revision ID: 0011_content_review
Revises: 0010_outcomes
Create Date: 2026-12-10 10:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "0011_content_review"
down_revision = "0010_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
