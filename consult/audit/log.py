"""Writing to the audit log: who did what to which object, old and new state (never answer text)."""

from __future__ import annotations

from typing import Any

from consult.core.extensions import db
from consult.models import AuditEvent, StaffUser


def record(
    action: str,
    actor: StaffUser | None = None,
    *,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the action it records)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label if actor_label is not None else (actor.email if actor else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        old_state=old,
        new_state=new,
    )
    db.session.add(event)
    return event
