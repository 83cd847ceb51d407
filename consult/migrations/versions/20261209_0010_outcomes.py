"""published outcomes per recommendation (issue 11)

Revision ID: 0010_outcomes
Revises: 0009_summaries
Create Date: 2026-12-09 10:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "0010_outcomes"
down_revision = "0009_summaries"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
