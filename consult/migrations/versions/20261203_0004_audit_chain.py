"""audit log: hash chain, no REPLACE on SQLite, no TRUNCATE on PostgreSQL

Revision ID: 0004_audit_chain
Revises: 0003_vocabulary_checks
Create Date: 2026-12-03 10:00:00.000000
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_audit_chain"
down_revision = "0003_vocabulary_checks"
branch_labels = None
depends_on = None

# The canonical serialisation as it was when this migration was written (see
# consult.models.audit.event_hash); a migration keeps its own copy.
GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "old_state",
    "new_state",
    "previous_hash",
)
REFUSAL = "the audit log is append-only"

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_label", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("old_state", sa.JSON),
    sa.column("new_state", sa.JSON),
    sa.column("previous_hash", sa.String),
    sa.column("hash", sa.String),
)


def _event_hash(fields):
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["at"] = values["at"].isoformat(sep=" ", timespec="microseconds")
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_postgresql():
    return op.get_bind().dialect.name == "postgresql"


def _sqlite_update_and_delete_triggers():
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def _chain_existing_events():
    """Seal the events written before the chain existed, in id order."""
    bind = op.get_bind()
    previous = GENESIS_HASH
    rows = bind.execute(sa.select(audit_event).order_by(audit_event.c.id)).mappings().all()
    for row in rows:
        fields = {**row, "previous_hash": previous}
        digest = _event_hash(fields)
        bind.execute(
            audit_event.update()
            .where(audit_event.c.id == row["id"])
            .values(previous_hash=previous, hash=digest)
        )
        previous = digest


def upgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    # The migration runs as the table's owner, who may lift the append-only rule for the backfill.
    if _is_postgresql():
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        _chain_existing_events()
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        _chain_existing_events()

    # On SQLite this copies the table, which drops its triggers: they are created again below.
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_event_previous_hash"), ["previous_hash"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_hash"), ["hash"])

    if _is_postgresql():
        # Row triggers do not see TRUNCATE; a statement-level trigger does (also when TRUNCATE
        # reaches the table through CASCADE from staff_user).
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        _sqlite_update_and_delete_triggers()
        # INSERT OR REPLACE deletes the row it collides with without firing DELETE triggers:
        # refuse any insert that collides with an existing event on a unique column.
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id "
            "OR hash = NEW.hash OR previous_hash = NEW.previous_hash) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade():
    if _is_postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_hash"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_audit_event_previous_hash"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("previous_hash")
    if not _is_postgresql():
        # The table copy dropped them; as 0002_staff made them.
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        _sqlite_update_and_delete_triggers()
