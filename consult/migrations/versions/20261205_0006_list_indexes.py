"""list indexes: the moderation queue and the audit log read in id order by each filter

Revision ID: 0006_list_indexes
Revises: 0005_account_security
Create Date: 2026-12-05 10:00:00.000000

The staff lists are read by keyset (`WHERE id > :after ORDER BY id LIMIT n`), so each filter needs
an index that ends in the id: then a page is one range of one index, at any depth, in a list of any
size. The queue's indexes are partial (answers with a moderation state: written and submitted), so
the stance-only majority of answers costs them nothing. They replace the single-column indexes on
`response.moderation_state` and `audit_event.action`, which the new ones begin with.

On a large live PostgreSQL database, CREATE INDEX blocks writes to the table while it runs (about a
minute for ten million answers): run this migration in a quiet hour, or build the indexes first
with CREATE INDEX CONCURRENTLY under the same names and conditions.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_list_indexes"
down_revision = "0005_account_security"
branch_labels = None
depends_on = None

QUEUED = "moderation_state IS NOT NULL"
RESPONSE_INDEXES = {
    "ix_response_queue": (["moderation_state", "id"], QUEUED),
    "ix_response_queue_detected_language": (
        ["moderation_state", "detected_language", "id"],
        QUEUED,
    ),
    "ix_response_queue_text_language": (["moderation_state", "text_language", "id"], QUEUED),
    "ix_response_queue_recommendation": (["recommendation_id", "moderation_state", "id"], QUEUED),
    # An idea and a language together (a moderator reading Arabic answers to one idea).
    "ix_response_queue_recommendation_detected_language": (
        ["recommendation_id", "moderation_state", "detected_language", "id"],
        QUEUED,
    ),
    "ix_response_queue_recommendation_text_language": (
        ["recommendation_id", "moderation_state", "text_language", "id"],
        QUEUED,
    ),
    "ix_response_queue_personal_data": (
        ["moderation_state", "id"],
        "personal_data_kinds IS NOT NULL",
    ),
    # Without it, "no personal data" walks another index and reads the rows to check the column:
    # fine while pending answers are spread out, most of the table when they are its newest rows.
    "ix_response_queue_no_personal_data": (
        ["moderation_state", "id"],
        f"personal_data_kinds IS NULL AND {QUEUED}",
    ),
}
AUDIT_INDEXES = {
    "ix_audit_event_action_id": ["action", "id"],
    "ix_audit_event_actor_label_id": ["actor_label", "id"],
    "ix_audit_event_object_type_id": ["object_type", "id"],
}


def upgrade():
    for name, (columns, condition) in RESPONSE_INDEXES.items():
        op.create_index(
            name,
            "response",
            columns,
            unique=False,
            sqlite_where=sa.text(condition),
            postgresql_where=sa.text(condition),
        )
    op.drop_index("ix_response_moderation_state", table_name="response")
    for name, columns in AUDIT_INDEXES.items():
        op.create_index(name, "audit_event", columns, unique=False)
    op.drop_index("ix_audit_event_action", table_name="audit_event")


def downgrade():
    op.create_index("ix_audit_event_action", "audit_event", ["action"], unique=False)
    for name in AUDIT_INDEXES:
        op.drop_index(name, table_name="audit_event")
    op.create_index("ix_response_moderation_state", "response", ["moderation_state"], unique=False)
    for name in RESPONSE_INDEXES:
        op.drop_index(name, table_name="response")
