"""Reading the audit log: filters and search, newest first, page by page (keyset: see
`consult.staff.paging`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import AuditEvent
from consult.staff.paging import Count, Cursor, Keyset, Page, in_key_order

# An action filter ending in this is a family of actions ("staff." matches every staff action).
FAMILY_END = "."


@dataclass(frozen=True)
class AuditFilters:
    # The actor's whole e-mail (any case: e-mails are stored lower-case). A whole address, not a
    # part of one, so that an index finds it.
    actor: str = ""
    # An action ("staff.login"), or a family of actions ending in "." ("staff.").
    action: str = ""
    object_type: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _first_id_from(moment: datetime) -> int | None:
    """The id of the first event at or after `moment` (one seek in the index on `at`)."""
    return db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.at >= moment).order_by(AuditEvent.at).limit(1)
    )


def _id_range(filters: AuditFilters) -> list[sa.ColumnElement[bool]] | None:
    """The dates as a range of ids, so that every index, read in id order, can apply them; None
    when no event can match.

    Events are appended under one lock and stamped inside it, so ids follow time: the events from a
    date on are those from the first event at or after it, and those before a date the ones before
    the first event at or after it. The times are not checked again: a condition on `at` would
    tempt PostgreSQL to read the whole day in the index on `at` and combine it with the filter's.
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.since:
        first = _first_id_from(filters.since)
        if first is None:
            return None
        conditions.append(AuditEvent.id >= first)
    if filters.until:
        end = _first_id_from(filters.until)
        if end is not None:
            conditions.append(AuditEvent.id < end)
    return conditions


def _actions(action: str) -> list[str]:
    """The actions an action filter names: itself, or every recorded one of its family."""
    if not action.endswith(FAMILY_END):
        return [action]
    return [name for name in recorded_actions() if name.startswith(action)]


def _keyset(filters: AuditFilters) -> Keyset:
    id_range = _id_range(filters)
    if id_range is None:
        return Keyset(AuditEvent.id, [], descending=True)
    base = sa.select(AuditEvent.id).where(*id_range)
    if filters.actor:
        base = base.where(AuditEvent.actor_label == filters.actor.lower())
    if filters.object_type:
        base = base.where(AuditEvent.object_type == filters.object_type)
    if filters.action:
        # One index range (action, id) per action of a family, merged.
        branches = [base.where(AuditEvent.action == name) for name in _actions(filters.action)]
    else:
        branches = [base]
    return Keyset(AuditEvent.id, branches, descending=True)


def search(
    filters: AuditFilters, cursor: Cursor | None = None, limit: int = 100
) -> Page[AuditEvent]:
    """A page of the events matching the filters, newest first."""
    ids = _keyset(filters).page(cursor or Cursor(), limit)

    def load(page_ids: list[int]) -> list[AuditEvent]:
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(page_ids)))
        return in_key_order(rows, page_ids, lambda row: row.id)

    return ids.map_rows(load)


def count(filters: AuditFilters) -> Count:
    """How many events match the filters, up to the bound ("1,000+")."""
    return _keyset(filters).count()


# A loose index scan: from each action to the next one in the index on (action, id), one seek per
# distinct action instead of reading the whole log (SELECT DISTINCT reads every row).
_DISTINCT_ACTIONS = sa.text(
    """
    WITH RECURSIVE seen(action) AS (
        SELECT (SELECT action FROM audit_event ORDER BY action LIMIT 1)
        UNION ALL
        SELECT (SELECT e.action FROM audit_event AS e WHERE e.action > seen.action
                ORDER BY e.action LIMIT 1)
        FROM seen WHERE seen.action IS NOT NULL
    )
    SELECT action FROM seen WHERE action IS NOT NULL
    """
)


def recorded_actions() -> list[str]:
    """Every action name that occurs in the log, for the filter's choices."""
    return list(db.session.scalars(_DISTINCT_ACTIONS))
