"""Moderation's domain operations, called directly inside an app context (no request): `decide` and
`bulk`, the queue, and safeguarding cases. The moderation pages are tested in test_moderation.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Response, SafeguardingCase, StaffUser
from consult.moderation import queries, safeguarding
from consult.moderation.operations import (
    AlreadyModerated,
    Decision,
    DecisionIncomplete,
    RejectReason,
    bulk,
    decide,
)
from consult.moderation.queries import QueueFilters
from consult.staff.paging import Count, Cursor
from tests.support.factories import draft_answers, staff_member, submission, submitted_answers

WITH_PHONE = "Call my brother on +49 151 23456789, he knows the lawyer."
PLAIN = "Free lawyers would save families years of waiting."
ARABIC = "نحتاج إلى محامين يتكلمون لغتنا"


@pytest.fixture
def ctx(demo_app: Flask) -> Iterator[Flask]:
    """The demo app with two moderators; the test runs inside its app context."""
    staff_member(demo_app, "mod@example.org", "moderator")
    staff_member(demo_app, "second@example.org", "moderator")
    with demo_app.app_context():
        yield demo_app


def _staff(email: str = "mod@example.org") -> StaffUser:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def _answer(app: Flask, text: str = PLAIN) -> Response:
    [rid] = submitted_answers(app, [text])
    return db.session.get(Response, rid)


def _decisions() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.startswith("moderation."))
            .order_by(AuditEvent.id)
        )
    )


# --- decide --------------------------------------------------------------------------------------


def test_approve_publishes_the_text_as_written(ctx: Flask) -> None:
    response, moderator = _answer(ctx), _staff()
    decide(response, moderator, Decision.APPROVE)
    db.session.commit()
    assert (response.moderation_state, response.public_text) == ("approved", PLAIN)
    assert response.moderated_by_id == moderator.id and response.moderated_at is not None
    assert (response.moderation_reason, response.moderation_note) == (None, None)
    [event] = _decisions()
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "moderation.approved",
        moderator.id,
        "response",
        response.id,
    )
    assert (event.old_state, event.new_state) == ({"state": "pending"}, {"state": "approved"})


def test_redact_publishes_the_edited_version_and_keeps_the_original(ctx: Flask) -> None:
    response = _answer(ctx, WITH_PHONE)
    with pytest.raises(DecisionIncomplete):
        decide(response, _staff(), Decision.REDACT, public_text=" \u202e ")
    assert response.moderation_state == "pending" and _decisions() == []

    public = "Call my brother on [phone], he knows the lawyer.\r\n"
    decide(response, _staff(), Decision.REDACT, public_text=public)
    db.session.commit()
    assert response.text == WITH_PHONE
    assert response.public_text == "Call my brother on [phone], he knows the lawyer."
    assert response.moderation_state == "approved"
    [event] = _decisions()
    assert event.action == "moderation.redacted"
    assert "+49" not in str(event.old_state) + str(event.new_state)  # no answer text in the log


def test_reject_records_the_reason_and_note_and_publishes_nothing(ctx: Flask) -> None:
    spam, other = _answer(ctx, "buy cheap watches www.spam.example"), _answer(ctx)
    decide(spam, _staff(), Decision.REJECT, reason=RejectReason.SPAM, note="  bot\x07 ")
    decide(other, _staff(), Decision.REJECT)
    db.session.commit()
    assert (spam.moderation_state, spam.public_text) == ("rejected", None)
    assert (spam.moderation_reason, spam.moderation_note) == ("spam", "bot")
    assert (other.moderation_reason, other.moderation_note) == ("other", None)  # the default
    assert [e.new_state for e in _decisions()] == [
        {"state": "rejected", "reason": "spam"},
        {"state": "rejected", "reason": "other"},
    ]


def test_escalate_opens_a_safeguarding_case_and_publishes_nothing(ctx: Flask) -> None:
    danger = "My daughter is kept in a house in the camp and they beat her."
    response = _answer(ctx, danger)
    decide(response, _staff(), Decision.ESCALATE, note="urgent", reason=RejectReason.SPAM)
    db.session.commit()
    assert (response.moderation_state, response.public_text) == ("safeguarding", None)
    assert response.moderation_reason is None  # a reason belongs to rejections only
    [case] = safeguarding.safeguarding_cases()
    assert (case.response_id, case.opened_by_id, case.note) == (response.id, _staff().id, "urgent")
    assert not case.handled
    assert [e.action for e in _decisions()] == ["moderation.escalated"]


def test_the_second_decision_is_refused_and_names_who_decided(ctx: Flask) -> None:
    response = _answer(ctx)
    decide(response, _staff(), Decision.APPROVE)
    db.session.commit()
    for decision in Decision:
        with pytest.raises(AlreadyModerated) as refused:
            decide(response, _staff("second@example.org"), decision, public_text="x")
        assert refused.value.by.email == "mod@example.org"
    db.session.rollback()
    assert (response.moderation_state, response.moderated_by_id) == ("approved", _staff().id)
    assert len(_decisions()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SafeguardingCase)) == 0


# --- bulk ----------------------------------------------------------------------------------------


def test_bulk_applies_one_decision_and_reports_answers_already_decided(ctx: Flask) -> None:
    ids = submitted_answers(ctx, ["one answer here", "two answer here", "three answer here"])
    decide(db.session.get(Response, ids[0]), _staff("second@example.org"), Decision.REJECT)
    result = bulk(ids, _staff(), Decision.APPROVE)
    db.session.commit()
    assert result.done == 2
    assert [(e.response.id, e.by.email) for e in result.already] == [(ids[0], "second@example.org")]
    states = [db.session.get(Response, i).moderation_state for i in ids]
    assert states == ["rejected", "approved", "approved"]

    [rid] = submitted_answers(ctx, ["off topic"])
    assert bulk([rid], _staff(), Decision.REJECT, RejectReason.OFF_TOPIC).done == 1
    assert db.session.get(Response, rid).moderation_reason == "off_topic"


@pytest.mark.parametrize("decision", [Decision.REDACT, Decision.ESCALATE])
def test_bulk_refuses_decisions_that_need_a_look_at_each_answer(
    ctx: Flask, decision: Decision
) -> None:
    ids = submitted_answers(ctx, [PLAIN])
    with pytest.raises(ValueError):
        bulk(ids, _staff(), decision)
    assert db.session.get(Response, ids[0]).moderation_state == "pending"


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_holds_submitted_written_answers_oldest_first(ctx: Flask) -> None:
    first = submitted_answers(ctx, [PLAIN, WITH_PHONE, ""])  # the third: a stance only
    draft_answers(ctx, ["not sent yet"])
    arabic = submitted_answers(ctx, [ARABIC], lang="ar")
    page = queries.queue(QueueFilters())
    assert [r.id for r in page.rows] == [first[0], first[1], arabic[0]]
    assert queries.queue_count(QueueFilters()) == Count(3)
    page = queries.queue(QueueFilters(), Cursor(after=first[0]), limit=1)
    assert [r.id for r in page.rows] == [first[1]]
    assert queries.next_pending().id == first[0]

    decide(db.session.get(Response, first[0]), _staff(), Decision.APPROVE)
    assert queries.next_pending().id == first[1]
    assert queries.next_pending(after_id=first[1]).id == arabic[0]
    assert queries.next_pending(after_id=arabic[0]).id == first[1]  # back to the oldest
    assert [r.id for r in queries.queue(QueueFilters(state="approved")).rows] == [first[0]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (QueueFilters(language="ar"), [2]),
        (QueueFilters(language="en"), [0, 1]),
        (QueueFilters(personal_data=True), [1]),
        (QueueFilters(personal_data=False), [0, 2]),
        (QueueFilters(recommendation_position=1), [0, 2]),
        (QueueFilters(recommendation_position=2), [1]),
        (QueueFilters(recommendation_position=99), []),
    ],
)
def test_queue_filters(ctx: Flask, filters: QueueFilters, expected: list[int]) -> None:
    ids = submitted_answers(ctx, [PLAIN, WITH_PHONE]) + submitted_answers(ctx, [ARABIC], "ar")
    rows = queries.queue(filters).rows
    assert [r.id for r in rows] == [ids[i] for i in expected]
    assert queries.queue_count(filters) == Count(len(expected))


def test_other_answers_are_the_rest_of_the_same_submission(ctx: Flask) -> None:
    sent = submission(ctx, [PLAIN, WITH_PHONE])
    submitted_answers(ctx, ["someone else"])
    response = db.session.get(Response, sent.response_ids[1])
    assert [r.id for r in queries.other_answers(response)] == sent.response_ids[:1]


# --- safeguarding cases --------------------------------------------------------------------------


def test_a_case_is_handled_by_someone_and_each_change_is_audited(ctx: Flask) -> None:
    staff_member(ctx, "org@example.org", "organiser")
    decide(_answer(ctx), _staff(), Decision.ESCALATE, note="urgent")
    db.session.commit()
    organiser = _staff("org@example.org")
    [case] = safeguarding.safeguarding_cases(handled=False)

    safeguarding.update_case(case, organiser, "urgent", handled=False)  # nothing changed
    safeguarding.update_case(case, organiser, "Referred to the partner.", handled=True)
    db.session.commit()
    assert case.handled and case.handled_by_id == organiser.id and case.handled_at is not None
    assert safeguarding.safeguarding_cases(handled=False) == []
    assert safeguarding.safeguarding_cases(handled=True) == [case]

    safeguarding.update_case(case, organiser, "Referred to the partner.", handled=False)
    assert (case.handled, case.handled_by_id, case.handled_at) == (False, None, None)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "safeguarding.updated")
    ).all()
    assert [(e.old_state, e.new_state) for e in events] == [
        ({"handled": False}, {"handled": True, "note_changed": True}),
        ({"handled": True}, {"handled": False, "note_changed": False}),
    ]
