"""Moderation: the queue, each decision and its audit event, redaction, safeguarding, the race."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Response, SafeguardingCase, StaffUser
from consult.moderation import operations as moderation
from tests.support.browser import Browser
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import audit_actions, log_in

WITH_PHONE = "Call my brother on +49 151 23456789, he knows the lawyer."
PLAIN = "Free lawyers would save families years of waiting."


@pytest.fixture
def moderator(demo_app: Flask) -> Browser:
    staff_member(demo_app, "mod@example.org", "moderator")
    return log_in(demo_app, "mod@example.org")


def _response(app: Flask, response_id: int) -> Response:
    with app.app_context():
        row = db.session.get(Response, response_id)
        db.session.expunge(row)
        return row


def test_written_answers_wait_in_the_queue_and_stance_only_answers_do_not(
    demo_app: Flask, moderator: Browser
) -> None:
    ids = submitted_answers(demo_app, [PLAIN, WITH_PHONE, ""])  # the third: a stance only
    page = moderator.get("/staff/moderate/")
    assert "2 answers" in page.text
    assert PLAIN in page.text
    items = page.soup.select(".queue-item")
    assert [i.select_one("blockquote")["dir"] for i in items] == ["auto", "auto"]
    assert "Personal data?" in items[1].get_text()
    page = moderator.get("/staff/moderate/?personal_data=yes")
    assert "1 answer" in page.text and WITH_PHONE in page.text
    assert _response(demo_app, ids[1]).personal_data_kinds == "phone"


def test_queue_filters_by_language_and_recommendation(demo_app: Flask, moderator: Browser) -> None:
    submitted_answers(demo_app, [PLAIN])
    submitted_answers(demo_app, ["نحتاج إلى محامين يتكلمون لغتنا"], lang="ar")
    assert "1 answer" in moderator.get("/staff/moderate/?language=ar").text
    assert "0 answers" in moderator.get("/staff/moderate/?recommendation=999").text
    assert "2 answers" in moderator.get("/staff/moderate/?recommendation=1").text
    assert "0 answers" in moderator.get("/staff/moderate/?recommendation=2").text


def test_answer_page_shows_highlights_suggestion_and_context(
    demo_app: Flask, moderator: Browser
) -> None:
    ids = submitted_answers(demo_app, [PLAIN, WITH_PHONE])
    page = moderator.get(f"/staff/moderate/{ids[1]}")
    assert page.soup.select_one("blockquote.original mark").get_text() == "+49 151 23456789"
    assert page.field_value("public_text") == "Call my brother on [phone], he knows the lawyer."
    assert PLAIN in page.soup.find(id="others-heading").find_parent("section").get_text()


def test_approve(demo_app: Flask, moderator: Browser) -> None:
    [rid] = submitted_answers(demo_app, [PLAIN])
    moderator.get(f"/staff/moderate/{rid}")
    page = moderator.submit(button=("action", "approve"))
    assert "Approved." in page.text
    row = _response(demo_app, rid)
    assert row.moderation_state == "approved" and row.public_text == PLAIN
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "moderation.approved")
        )
        assert (event.object_type, event.object_id) == ("response", rid)
        assert event.old_state == {"state": "pending"} and event.new_state == {"state": "approved"}
        assert event.actor_label == "mod@example.org"


def test_redact_and_approve_keeps_the_original(demo_app: Flask, moderator: Browser) -> None:
    [_, rid] = submitted_answers(demo_app, [PLAIN, WITH_PHONE])
    moderator.get(f"/staff/moderate/{rid}")
    moderator.submit(button=("action", "redact"))
    row = _response(demo_app, rid)
    assert row.text == WITH_PHONE
    assert row.public_text == "Call my brother on [phone], he knows the lawyer."
    assert row.moderated_by_id is not None and row.moderated_at is not None
    with demo_app.app_context():
        events = db.session.scalars(sa.select(AuditEvent.new_state)).all()
    assert not any("+49" in str(state) for state in events), "no participant text in the audit log"
    assert "moderation.redacted" in audit_actions(demo_app)


def test_reject_with_a_reason(demo_app: Flask, moderator: Browser) -> None:
    [rid] = submitted_answers(demo_app, ["buy cheap watches www.spam.example"])
    moderator.get(f"/staff/moderate/{rid}")
    moderator.submit({"reason": "spam"}, button=("action", "reject"))
    row = _response(demo_app, rid)
    assert (row.moderation_state, row.moderation_reason, row.public_text) == (
        "rejected",
        "spam",
        None,
    )
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "moderation.rejected")
        )
        assert event.new_state == {"state": "rejected", "reason": "spam"}


def test_escalated_answer_goes_to_safeguarding_only(demo_app: Flask, moderator: Browser) -> None:
    danger = "My daughter is kept in a house in the camp and they beat her."
    [rid] = submitted_answers(demo_app, [danger])
    moderator.get(f"/staff/moderate/{rid}")
    page = moderator.submit({"note": "urgent"}, button=("action", "escalate"))
    assert "never be published" in page.text
    assert danger not in moderator.get("/staff/moderate/").text
    assert danger not in moderator.get("/staff/moderate/?state=approved").text
    row = _response(demo_app, rid)
    assert row.moderation_state == "safeguarding" and row.public_text is None
    assert moderator.get("/staff/safeguarding/").status == 403  # moderators do not see the list

    staff_member(demo_app, "org@example.org", "organiser")
    organiser = log_in(demo_app, "org@example.org")
    page = organiser.get("/staff/safeguarding/")
    assert danger in page.text
    page = organiser.submit({"note": "Referred to the child protection partner.", "handled": "y"})
    assert "Saved" in page.text
    assert danger not in organiser.get("/staff/safeguarding/").text  # default: only open cases
    assert danger in organiser.get("/staff/safeguarding/?handled=yes").text
    with demo_app.app_context():
        case = db.session.scalar(sa.select(SafeguardingCase))
        assert case.handled and case.handled_by_id is not None
    assert {"moderation.escalated", "safeguarding.updated"} <= set(audit_actions(demo_app))


def test_bulk_approve_and_reject(demo_app: Flask, moderator: Browser) -> None:
    ids = submitted_answers(demo_app, ["one answer here", "two answer here", "three answer here"])
    moderator.get("/staff/moderate/")
    page = moderator.submit(
        {"selected": [str(ids[0]), str(ids[1])]},
        button=("action", "approve"),
        action_contains="/moderate/bulk",
    )
    assert "2 answers done" in page.text
    moderator.get("/staff/moderate/")
    moderator.submit(
        {"selected": [str(ids[2])], "reason": "off_topic"},
        button=("action", "reject"),
        action_contains="/moderate/bulk",
    )
    states = [_response(demo_app, i).moderation_state for i in ids]
    assert states == ["approved", "approved", "rejected"]
    assert audit_actions(demo_app).count("moderation.approved") == 2


def test_second_moderator_is_told_who_already_decided(demo_app: Flask, moderator: Browser) -> None:
    staff_member(demo_app, "second@example.org", "moderator")
    second = log_in(demo_app, "second@example.org")
    [rid] = submitted_answers(demo_app, [PLAIN])
    moderator.get(f"/staff/moderate/{rid}")
    second.get(f"/staff/moderate/{rid}")
    moderator.submit(button=("action", "approve"))
    page = second.submit({"reason": "spam"}, button=("action", "reject"))
    assert page.status == 409
    assert "already moderated by mod@example.org" in page.text
    row = _response(demo_app, rid)
    assert row.moderation_state == "approved"
    assert audit_actions(demo_app).count("moderation.approved") == 1
    assert "moderation.rejected" not in audit_actions(demo_app)


def test_two_moderators_deciding_at_the_same_moment(demo_app: Flask) -> None:
    """Two threads, two database connections, one answer: exactly one decision is stored."""
    first = staff_member(demo_app, "a@example.org", "moderator")
    second = staff_member(demo_app, "b@example.org", "moderator")
    [rid] = submitted_answers(demo_app, [PLAIN])
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(staff_id: int, action: str) -> None:
        with demo_app.app_context():
            moderator = db.session.get(StaffUser, staff_id)
            response = db.session.get(Response, rid)
            barrier.wait()
            try:
                moderation.decide(
                    response,
                    moderator,
                    moderation.Decision(action),
                    reason=moderation.RejectReason.SPAM,
                )
                db.session.commit()
                outcomes[staff_id] = "done"
            except moderation.AlreadyModerated:
                db.session.rollback()
                outcomes[staff_id] = "already"

    threads = [
        threading.Thread(target=decide, args=(first, "approve")),
        threading.Thread(target=decide, args=(second, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["already", "done"]
    winner = next(staff for staff, outcome in outcomes.items() if outcome == "done")
    row = _response(demo_app, rid)
    assert row.moderated_by_id == winner
    assert row.moderation_state == ("approved" if winner == first else "rejected")
    decisions = [a for a in audit_actions(demo_app) if a.startswith("moderation.")]
    assert len(decisions) == 1


def test_translators_cannot_moderate(demo_app: Flask) -> None:
    staff_member(demo_app, "t@example.org", "translator")
    translator = log_in(demo_app, "t@example.org")
    [rid] = submitted_answers(demo_app, [PLAIN])
    assert translator.get("/staff/moderate/").status == 403
    assert translator.get(f"/staff/moderate/{rid}").status == 403


def test_moderation_works_without_javascript_and_offers_shortcuts(
    demo_app: Flask, moderator: Browser
) -> None:
    [rid] = submitted_answers(demo_app, [PLAIN])
    page = moderator.get(f"/staff/moderate/{rid}")
    buttons = {
        b["value"]: b.get("data-shortcut") for b in page.soup.select("#decision-form button")
    }
    assert buttons == {"approve": "a", "redact": "p", "reject": "r", "escalate": "s"}
    assert page.soup.find("script", src="/static/moderate.js") is not None
    script = moderator.client.get("/static/moderate.js")
    assert script.status_code == 200
    script.close()
