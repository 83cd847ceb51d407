"""The append-only, hash-chained audit log of staff actions.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migrations add database
triggers that refuse them too (and, on SQLite, an INSERT OR REPLACE over an existing event; on
PostgreSQL, TRUNCATE). No participant text is ever put here: the state columns hold states, reasons
and ids, never answers.

Each event is sealed when it is flushed: `hash` is the SHA-256 of its fields and `previous_hash`,
the hash of the event before it, so a changed, removed or inserted event breaks the chain
(`consult.audit.chain.verify_chain`, `flask --app consult audit verify`). Sealing reads the chain's
head while holding a lock that serialises appends (see `_lock_chain`), so two requests writing at
once can never both follow the same event; the unique `previous_hash` makes the database refuse a
fork even if they did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from consult.core.extensions import db
from consult.core.timeutil import utcnow

# The previous hash of the first event.
GENESIS_HASH = "0" * 64
# The fields an event's hash covers, in the canonical serialisation (see `event_hash`). The id is
# left out: the database assigns it after sealing; the chain itself fixes the order.
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
# PostgreSQL advisory lock taken (until the transaction ends) before reading the chain's head: any
# fixed number, the same in every process; this one is "audit" in ASCII.
CHAIN_LOCK_KEY = 0x6175646974


def event_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an event's hashed fields, serialised the same way on every backend: a JSON
    object with sorted keys and no spaces, the time as naive UTC with microseconds."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    at: datetime = values["at"]
    values["at"] = at.isoformat(sep=" ", timespec="microseconds")
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _as_stored(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """The state as the JSON column will give it back (string keys, lists for tuples), so the hash
    computed now matches the one recomputed from the stored row."""
    return None if state is None else json.loads(json.dumps(state))


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        # The log's page, newest first (keyset on id), by each filter: see `consult.audit.queries`.
        sa.Index("ix_audit_event_action_id", "action", "id"),
        sa.Index("ix_audit_event_actor_label_id", "actor_label", "id"),
        sa.Index("ix_audit_event_object_type_id", "object_type", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # None for events without a signed-in actor (failed log-in, a participant deleting answers).
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    # The actor's e-mail at the time (or the one tried, for a failed log-in), kept if the account
    # is deleted.
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[int | None]
    old_state: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new_state: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The hash chain: set by `seal` at flush time, never by callers.
    previous_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    def seal(self, previous_hash: str) -> None:
        """Fix the event's fields as they will be stored and chain it to `previous_hash`."""
        at = self.at or utcnow()
        if at.tzinfo is not None:
            at = at.astimezone(UTC).replace(tzinfo=None)
        self.at = at
        self.actor_label = self.actor_label or ""
        self.old_state = _as_stored(self.old_state)
        self.new_state = _as_stored(self.new_state)
        self.previous_hash = previous_hash
        self.hash = event_hash({name: getattr(self, name) for name in HASHED_FIELDS})


def _lock_chain(connection: Connection) -> None:
    """Serialise appends to the chain until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (it needs no privilege, unlike SELECT ... FOR
    UPDATE, which needs UPDATE on the table). SQLite allows one writer at a time; the head must be
    read while holding that write lock, not in a snapshot taken earlier. Python's sqlite3 opens a
    transaction only before a write statement, so an open transaction already holds the lock;
    otherwise BEGIN IMMEDIATE takes it now (waiting up to the busy timeout).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))
    elif (
        connection.dialect.name == "sqlite"
        and not connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
    ):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def chain_head(connection: Connection) -> str:
    """The hash of the latest event, or GENESIS_HASH for an empty log."""
    latest = connection.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return latest or GENESIS_HASH


@event.listens_for(Session, "before_flush")
def _seal_new_events(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    # The order in which the flush will insert them (and the database number them).
    new.sort(key=lambda obj: sa.inspect(obj).insert_order)
    connection = session.connection(bind_arguments={"mapper": sa.inspect(AuditEvent)})
    _lock_chain(connection)
    previous = chain_head(connection)
    for obj in new:
        obj.seal(previous)
        previous = obj.hash


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise PermissionError("the audit log is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise PermissionError("the audit log is append-only")
