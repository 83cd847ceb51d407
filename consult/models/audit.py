"""The append-only audit log of staff actions.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migration adds database
triggers that refuse them too (on SQLite and PostgreSQL). No participant text is ever put here: the
state columns hold states, reasons and ids, never answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.extensions import db
from consult.core.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # None for events without a signed-in actor (failed log-in, a participant deleting answers).
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    # The actor's e-mail at the time (or the one tried, for a failed log-in), kept if the account
    # is deleted.
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[int | None]
    old_state: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new_state: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise PermissionError("the audit log is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise PermissionError("the audit log is append-only")
