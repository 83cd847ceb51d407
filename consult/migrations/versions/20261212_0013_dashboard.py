"""dashboard: covering indexes for the per-recommendation counts (issue 11)

The dashboard counts answers per (recommendation, submission language, stage, stance) among one
consultation's submitted submissions, filtered by language, stage, group and date. These two
indexes let both databases read those columns from indexes alone: the submissions of a consultation
in state and date order with their language and stage, and each submission's answers with their
recommendation and stance. See docs/decisions.md, "Dashboard (issue 11)".

Revision ID: 0013_dashboard
Revises: 0012_operations
Create Date: 2026-12-12 10:00:00.000000
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_dashboard"
down_revision = "0012_operations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_submission_dashboard",
        "submission",
        ["consultation_id", "state", "submitted_on", "language", "stage", "id"],
    )
    op.create_index(
        "ix_response_dashboard", "response", ["submission_id", "recommendation_id", "stance"]
    )


def downgrade():
    op.drop_index("ix_response_dashboard", table_name="response")
    op.drop_index("ix_submission_dashboard", table_name="submission")
