"""summaries: themes, organiser edits of themes, published outcomes (issue 11)

Revision ID: 0009_summaries
Revises: 0008_authoring
Create Date: 2026-12-08 10:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "0009_summaries"
down_revision = "0008_authoring"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
