"""A consultation's status: draft → open → closed (publishing belongs to consult.outcomes).

Each change is one conditional UPDATE (`... WHERE status = <expected>`): of two requests that make
the same change at once only one changes the row and records it, so a change is never recorded
twice. A consultation past its closing date closes itself when a page next reads it (no scheduler
needed): recorded once, under the actor label "system".
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.authoring.operations import recommendation_source_text, source_text
from consult.core.extensions import db
from consult.core.timeutil import today
from consult.models import Consultation, StaffUser
from consult.vocab import ConsultationStatus

SYSTEM_ACTOR = "system"


class NotReady(Exception):
    """The consultation cannot change status yet; `problems` says why (lazy, translated)."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(len(problems))
        self.problems = problems


def opening_problems(consultation: Consultation, on: date | None = None) -> list[Any]:
    """Why the consultation cannot open yet (empty when it can)."""
    problems: list[Any] = []
    if consultation.status != ConsultationStatus.DRAFT:
        problems.append(_l("Only a draft consultation can be opened."))
    text = source_text(consultation)
    if text is None or not text.title.strip():
        problems.append(_l("Write the title in the source language."))
    if text is None or not (text.consent or "").strip():
        problems.append(_l("Write the consent text in the source language."))
    if text is not None and text.question is not None and not text.question.strip():
        problems.append(_l("Write the question, or leave it empty to use the default."))
    visible = [r for r in consultation.recommendations if r.visible]
    if not any(
        (found := recommendation_source_text(r)) is not None and found.title.strip()
        for r in visible
    ):
        problems.append(_l("Add at least one recommendation with its text."))
    day = on or today()
    if consultation.closes_on is not None and consultation.closes_on < day:
        problems.append(_l("The closing date has passed: change it first."))
    return problems


def _change_status(consultation: Consultation, expected: str, new: str, **values: Any) -> bool:
    changed = db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation.id, Consultation.status == expected)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(consultation)
    return bool(changed)


def _record(
    consultation: Consultation,
    old: str,
    actor: StaffUser | None,
    *,
    actor_label: str | None = None,
    **extra: Any,
) -> None:
    audit.record(
        "consultation.status_changed",
        actor,
        actor_label=actor_label,
        object_type="consultation",
        object_id=consultation.id,
        old={"status": old},
        new={"status": consultation.status, **extra},
    )


def open_consultation(actor: StaffUser, consultation: Consultation, on: date | None = None) -> None:
    """Open a draft for answers; raises NotReady with every reason it cannot."""
    problems = opening_problems(consultation, on)
    if problems:
        raise NotReady(problems)
    day = on or today()
    values: dict[str, Any] = {}
    if consultation.opens_on is None or consultation.opens_on > day:
        # Opening now means from today: the date participants see is the real one.
        values["opens_on"] = day
    old_opens = consultation.opens_on
    if not _change_status(
        consultation, ConsultationStatus.DRAFT, ConsultationStatus.OPEN, **values
    ):
        raise NotReady([_l("Someone else changed the status meanwhile.")])
    extra = {}
    if values:
        extra = {"opens_on": day.isoformat(), "opens_on_before": _iso(old_opens)}
    _record(consultation, ConsultationStatus.DRAFT, actor, **extra)


def close_consultation(
    actor: StaffUser, consultation: Consultation, on: date | None = None
) -> None:
    """Stop taking answers now. Raises NotReady when it is not open."""
    day = on or today()
    values: dict[str, Any] = {}
    if consultation.closes_on is None or consultation.closes_on >= day:
        values["closes_on"] = day
    old_closes = consultation.closes_on
    if not _change_status(
        consultation, ConsultationStatus.OPEN, ConsultationStatus.CLOSED, **values
    ):
        raise NotReady([_l("Only an open consultation can be closed.")])
    extra = {}
    if values:
        extra = {"closes_on": day.isoformat(), "closes_on_before": _iso(old_closes)}
    _record(consultation, ConsultationStatus.OPEN, actor, **extra)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def close_if_expired(consultation: Consultation, on: date | None = None) -> bool:
    """Close an open consultation whose closing date has passed; True when this call closed it.

    Safe to call from any request: the conditional UPDATE lets one request close it and record
    it; the others change nothing.
    """
    day = on or today()
    if consultation.status != ConsultationStatus.OPEN:
        return False
    if consultation.closes_on is None or consultation.closes_on >= day:
        return False
    changed = db.session.execute(
        sa.update(Consultation)
        .where(
            Consultation.id == consultation.id,
            Consultation.status == ConsultationStatus.OPEN,
            Consultation.closes_on < day,
        )
        .values(status=ConsultationStatus.CLOSED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(consultation)
    if changed:
        _record(
            consultation,
            ConsultationStatus.OPEN,
            None,
            actor_label=SYSTEM_ACTOR,
            reason="closing date passed",
            closes_on=_iso(consultation.closes_on),
        )
    return bool(changed)


def close_expired(on: date | None = None) -> int:
    """Close every open consultation past its closing date (the staff list calls it); returns how
    many this call closed. One indexed query when there is none."""
    day = on or today()
    due = db.session.scalars(
        sa.select(Consultation).where(
            Consultation.status == ConsultationStatus.OPEN, Consultation.closes_on < day
        )
    ).all()
    return sum(close_if_expired(consultation, day) for consultation in due)
