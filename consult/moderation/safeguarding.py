"""Safeguarding cases: answers that show someone at risk, never published, followed up by staff."""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import SafeguardingCase, StaffUser


def open_case(response_id: int, opened_by: StaffUser, note: str = "") -> SafeguardingCase:
    case = SafeguardingCase(response_id=response_id, opened_by_id=opened_by.id, note=note)
    db.session.add(case)
    db.session.flush()
    return case


def safeguarding_cases(handled: bool | None = None) -> list[SafeguardingCase]:
    query = sa.select(SafeguardingCase).order_by(
        SafeguardingCase.handled, SafeguardingCase.opened_at.desc()
    )
    if handled is not None:
        query = query.where(SafeguardingCase.handled == handled)
    return list(db.session.scalars(query))


def update_case(case: SafeguardingCase, actor: StaffUser, note: str, handled: bool) -> None:
    old = {"handled": case.handled, "note_changed": False}
    new = {"handled": handled, "note_changed": note != case.note}
    if old["handled"] == handled and not new["note_changed"]:
        return
    case.note = note
    if handled and not case.handled:
        case.handled_by_id, case.handled_at = actor.id, utcnow()
    elif not handled:
        case.handled_by_id, case.handled_at = None, None
    case.handled = handled
    audit.record("safeguarding.updated", actor, object_type="safeguarding_case", object_id=case.id,
                 old={"handled": old["handled"]}, new=new)  # fmt: skip
    db.session.flush()
