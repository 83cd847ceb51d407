"""Reading the audit log: filters and search, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    # Part of the actor's e-mail (case-insensitive: e-mails are stored lower-case).
    actor: str = ""
    # An action or the start of one ("staff." matches every staff action).
    action: str = ""
    object_type: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(filters: AuditFilters) -> sa.Select:
    query = sa.select(AuditEvent)
    if filters.actor:
        query = query.where(AuditEvent.actor_label.contains(filters.actor.lower()))
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    return query


def search(filters: AuditFilters, limit: int, offset: int = 0) -> tuple[list[AuditEvent], int]:
    """The events matching the filters, newest first, and how many match in all."""
    query = _filtered(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(events), total


def recorded_actions() -> list[str]:
    """Every action name that occurs in the log, for the filter's choices."""
    return list(
        db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
