"""operations: purge and spam defences (issue 13)

Revision ID: 0012_operations
Revises: 0011_content_review
Create Date: 2026-12-11 10:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "0012_operations"
down_revision = "0011_content_review"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
