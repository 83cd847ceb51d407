"""Who reads originals: a safeguarding case's answer is for the roles that read the safeguarding
list, and every page that shows an original (or a case) is on the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Response, SafeguardingCase, StaffUser
from consult.moderation import operations as moderation
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import log_in

AT_RISK = "They took my passport and I cannot leave the house, please help."
PLAIN = "Free lawyers would save families years of waiting."


def _escalate(app: Flask, response_id: int) -> int:
    """A moderator sends the answer to safeguarding; returns the case id."""
    escalator = staff_member(app, "escalator@example.org", "moderator")
    with app.app_context():
        response = db.session.get(Response, response_id)
        moderation.decide(
            response, db.session.get(StaffUser, escalator), moderation.Decision.ESCALATE
        )
        db.session.commit()
        return db.session.scalar(
            sa.select(SafeguardingCase.id).where(SafeguardingCase.response_id == response_id)
        )


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return rows


def test_a_plain_moderator_cannot_open_a_safeguarding_answer(demo_app: Flask) -> None:
    [rid] = submitted_answers(demo_app, [AT_RISK])
    staff_member(demo_app, "mod@example.org", "moderator")
    moderator = log_in(demo_app, "mod@example.org")
    assert moderator.get(f"/staff/moderate/{rid}").status == 200  # still pending: in the queue
    _escalate(demo_app, rid)  # by another moderator, meanwhile

    page = moderator.submit(button=("action", "approve"))  # the page opened before
    assert page.status == 403 and AT_RISK not in page.text
    page = moderator.get(f"/staff/moderate/{rid}")
    assert page.status == 403 and AT_RISK not in page.text
    assert len(_events(demo_app, "moderation.original_viewed")) == 1  # the view while pending


def test_safeguarding_readers_may_open_it_and_it_is_audited(demo_app: Flask) -> None:
    [rid] = submitted_answers(demo_app, [AT_RISK])
    _escalate(demo_app, rid)
    staff_member(demo_app, "admin@example.org", "admin")
    staff_member(demo_app, "lead@example.org", "moderator", "organiser")
    for email in ("admin@example.org", "lead@example.org"):
        page = log_in(demo_app, email).get(f"/staff/moderate/{rid}")
        assert page.status == 200 and AT_RISK in page.text
    events = _events(demo_app, "moderation.original_viewed")
    assert [(e.actor_label, e.object_type, e.object_id) for e in events] == [
        ("admin@example.org", "response", rid),
        ("lead@example.org", "response", rid),
    ]


def test_opening_an_answer_records_who_read_the_original_without_its_text(
    demo_app: Flask,
) -> None:
    [rid] = submitted_answers(demo_app, [PLAIN])
    staff_member(demo_app, "mod@example.org", "moderator")
    moderator = log_in(demo_app, "mod@example.org")
    page = moderator.get(f"/staff/moderate/{rid}")
    assert page.status == 200 and PLAIN in page.text
    [event] = _events(demo_app, "moderation.original_viewed")
    assert (event.actor_label, event.object_type, event.object_id) == (
        "mod@example.org",
        "response",
        rid,
    )
    assert event.old_state is None and event.new_state is None
    # The page still works as before: the decision goes through.
    page = moderator.submit(button=("action", "approve"))
    assert page.status == 200
    assert _events(demo_app, "moderation.approved")[0].object_id == rid


def test_viewing_the_safeguarding_list_records_which_cases_were_shown(demo_app: Flask) -> None:
    first, _second = submitted_answers(demo_app, [AT_RISK, PLAIN])
    case_id = _escalate(demo_app, first)
    staff_member(demo_app, "organiser@example.org", "organiser")
    organiser = log_in(demo_app, "organiser@example.org")
    page = organiser.get("/staff/safeguarding/")
    assert AT_RISK in page.text
    organiser.get("/staff/safeguarding/?handled=yes")  # nothing handled yet: no case shown
    events = _events(demo_app, "safeguarding.viewed")
    assert [(e.actor_label, e.object_type, e.new_state) for e in events] == [
        ("organiser@example.org", "safeguarding_case", {"case_ids": [case_id]}),
        ("organiser@example.org", "safeguarding_case", {"case_ids": []}),
    ]
    assert AT_RISK not in str([e.new_state for e in events])
