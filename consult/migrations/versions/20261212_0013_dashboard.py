"""dashboard: indexes or kept aggregates for per-recommendation summaries (issue 11)

Revision ID: 0013_dashboard
Revises: 0012_operations
Create Date: 2026-12-12 10:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "0013_dashboard"
down_revision = "0012_operations"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
