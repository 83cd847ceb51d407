"""The participant journey's domain operations, called directly inside an app context (no request).

The pages that call them are tested in test_journey.py and test_bad_input.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask, current_app

from consult.core.config import draft_lifetime
from consult.core.extensions import db
from consult.core.timeutil import today, utcnow
from consult.models import AuditEvent, Consultation, Response, Submission, SubmissionGroup
from consult.participation import operations as participation
from tests.support.journey import SLUG

PHONE = "Call my brother on +49 151 23456789, he knows the lawyer."


@pytest.fixture
def consultation(demo_app: Flask) -> Iterator[Consultation]:
    """The open demo consultation, inside an app context for the whole test."""
    with demo_app.app_context():
        yield participation.get_open_consultation(SLUG)


def _draft(consultation: Consultation, lang: str = "en") -> Submission:
    return participation.start_draft(consultation, lang, draft_lifetime(current_app.config))


def _submit(draft: Submission) -> str:
    return participation.submit(draft, current_app.config["SECRET_KEY"])


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_start_draft_is_found_by_its_token_until_it_expires(consultation: Consultation) -> None:
    before = utcnow()
    draft = _draft(consultation, "ar")
    after = utcnow()
    db.session.commit()
    assert (draft.state, draft.language, draft.created_on) == ("draft", "ar", today())
    assert draft.submitted_on is None and draft.receipt_hash is None
    # Expiry: the configured lifetime from now, rounded up to the hour.
    expires = draft.draft_expires_at
    assert (expires.minute, expires.second, expires.microsecond) == (0, 0, 0)
    lifetime = draft_lifetime(current_app.config)
    assert before + lifetime < expires <= after + lifetime + timedelta(hours=1)

    assert participation.find_draft(consultation, draft.draft_token) is draft
    assert participation.find_draft(consultation, "not-a-token") is None
    assert participation.find_draft(consultation, None) is None
    draft.draft_expires_at = utcnow() - timedelta(seconds=1)
    assert participation.find_draft(consultation, draft.draft_token) is None


def test_save_answer_replaces_the_answer_to_the_same_idea(consultation: Consultation) -> None:
    draft = _draft(consultation)
    first, second = consultation.recommendations[:2]
    participation.save_answer(draft, first, "partly", "First thoughts", "en")
    participation.save_answer(draft, second, None, "", "en")
    again = participation.save_answer(draft, first, "agree", "Second thoughts", "en")
    db.session.commit()
    rows = db.session.scalars(sa.select(Response).order_by(Response.id)).all()
    assert [(r.recommendation_id, r.stance, r.text) for r in rows] == [
        (first.id, "agree", "Second thoughts"),
        (second.id, "skipped", None),
    ]
    assert rows[0] is again
    assert participation.response_for(draft, first) is again

    participation.save_answer(draft, first, "agree", "   ", "en")  # the text is taken back
    assert again.text is None and again.text_language is None
    assert again.detected_language is None and not again.needs_language_review


def test_save_answer_stores_clean_text_and_its_language(consultation: Consultation) -> None:
    draft = _draft(consultation, "fr")
    first, second, third = consultation.recommendations[:3]
    typed = unicodedata.normalize("NFD", "Été\u202e 2016\x07.\r\nLes avocats coûtent cher.")
    response = participation.save_answer(draft, first, "agree", typed, "fr")
    assert response.text == "Été 2016.\nLes avocats coûtent cher."
    assert response.text == unicodedata.normalize("NFC", response.text)
    assert (response.text_language, response.detected_language) == ("fr", "fr")
    assert 0 < response.detected_confidence <= 1 and not response.needs_language_review

    # Written in another language than the page's: a translator should check it.
    russian = "Мы ждём решения по убежищу уже два года, без адвоката."
    response = participation.save_answer(draft, second, "agree", russian, "fr")
    assert (response.text_language, response.detected_language) == ("fr", "ru")
    assert response.needs_language_review

    # The page's language at the time of the answer is what is kept for it and for the draft.
    response = participation.save_answer(draft, third, None, "Families wait for years.", "en")
    assert (response.text_language, response.detected_language) == ("en", "en")
    assert draft.language == "en"


def test_save_profile_stores_the_answers_and_declining_clears_the_groups(
    consultation: Consultation,
) -> None:
    draft = _draft(consultation)
    participation.save_profile(draft, "transit", "30_44", ["lgbtqi", "disability"], False)
    db.session.commit()
    assert (draft.stage, draft.age_band) == ("transit", "30_44")
    assert [g.group for g in draft.groups] == ["disability", "lgbtqi"]
    with pytest.raises(ValueError):
        participation.save_profile(draft, "somewhere", None, [], False)
    assert draft.stage == "transit" and len(draft.groups) == 2  # nothing changed
    participation.save_profile(draft, "prefer_not", None, ["lgbtqi"], True)
    db.session.commit()
    assert (draft.stage, draft.age_band) == ("prefer_not", None)
    assert draft.groups_declined and draft.groups == []
    assert _count(SubmissionGroup) == 0


def test_submit_gives_a_receipt_that_finds_the_submission(consultation: Consultation) -> None:
    draft = _draft(consultation)
    first, second, third = consultation.recommendations[:3]
    participation.save_answer(draft, first, "agree", PHONE, "en")
    participation.save_answer(draft, second, "disagree", "", "en")
    participation.save_answer(draft, third, None, "Not sure what this means.", "en")
    code = _submit(draft)
    db.session.commit()

    assert (draft.state, draft.submitted_on) == ("submitted", today())
    assert draft.draft_token is None and draft.draft_expires_at is None
    assert code not in draft.receipt_hash
    # Written answers wait for a moderator; a stance alone is counted without moderation.
    states = [(r.moderation_state, r.personal_data_kinds) for r in draft.responses]
    assert states == [("pending", "phone"), (None, None), ("pending", None)]

    assert participation.find_by_receipt(code) is draft
    typed = " " + "-".join(code[i : i + 4] for i in (0, 4, 8)).lower() + " "
    assert participation.find_by_receipt(typed) is draft
    assert participation.find_by_receipt("ABCD-EFGH-2345") is None
    assert participation.find_by_receipt("hello") is None


def test_a_draft_with_nothing_in_it_cannot_be_submitted(consultation: Consultation) -> None:
    draft = _draft(consultation)
    with pytest.raises(participation.EmptySubmission):
        _submit(draft)
    participation.save_answer(draft, consultation.recommendations[0], None, "  \u202e ", "en")
    with pytest.raises(participation.EmptySubmission):
        _submit(draft)
    assert draft.state == "draft" and draft.receipt_hash is None
    participation.save_answer(draft, consultation.recommendations[1], "not_sure", "", "en")
    assert participation.find_by_receipt(_submit(draft)) is draft


def test_delete_submission_removes_the_rows_and_records_no_actor(
    consultation: Consultation,
) -> None:
    draft = _draft(consultation)
    participation.save_answer(draft, consultation.recommendations[0], "agree", PHONE, "en")
    participation.save_answer(draft, consultation.recommendations[1], "disagree", "", "en")
    participation.save_profile(draft, "transit", "18_29", ["disability"], False)
    code = _submit(draft)
    db.session.commit()
    submission_id = draft.id

    participation.delete_submission(participation.find_by_receipt(code))
    db.session.commit()
    assert [_count(m) for m in (Submission, Response, SubmissionGroup)] == [0, 0, 0]
    assert participation.find_by_receipt(code) is None
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert event.action == "submission.deleted_by_participant"
    assert (event.actor_id, event.actor_label) == (None, "")
    assert (event.object_type, event.object_id) == ("submission", submission_id)
    assert event.old_state == {"answers": 2} and event.new_state is None


def test_purge_expired_drafts_removes_only_drafts_past_their_expiry(
    consultation: Consultation,
) -> None:
    older, newer, sent = _draft(consultation), _draft(consultation), _draft(consultation)
    for draft in (older, newer, sent):
        participation.save_answer(draft, consultation.recommendations[0], "agree", "text", "en")
        participation.save_profile(draft, None, None, ["under_18"], False)
    _submit(sent)
    older.draft_expires_at = newer.draft_expires_at - timedelta(hours=1)
    db.session.commit()
    newer_id, sent_id = newer.id, sent.id

    assert (
        participation.purge_expired_drafts(now=older.draft_expires_at - timedelta(seconds=1)) == 0
    )
    assert participation.purge_expired_drafts(now=older.draft_expires_at) == 1
    db.session.commit()
    assert db.session.scalars(sa.select(Submission.id).order_by(Submission.id)).all() == [
        newer_id,
        sent_id,
    ]
    assert _count(Response) == _count(SubmissionGroup) == 2

    far_future = utcnow() + timedelta(days=365)
    assert participation.purge_expired_drafts(now=far_future) == 1  # never a submitted one
    db.session.commit()
    assert db.session.scalars(sa.select(Submission.id)).all() == [sent_id]
    assert _count(Response) == _count(SubmissionGroup) == 1


def test_renewing_a_draft_to_the_expiry_it_has_leaves_its_row_unchanged(
    consultation: Consultation,
) -> None:
    """Answers sent within the same hour renew the draft to the expiry it already has (rounded to
    the hour): the row is not marked changed, so the session has nothing to look for at the next
    statement or at commit. A change of language is still stored."""
    draft = _draft(consultation, "fr")
    db.session.commit()
    lifetime = draft_lifetime(current_app.config)
    participation.save_answer(draft, consultation.recommendations[0], "agree", None, "fr")
    before = draft.draft_expires_at
    participation.renew_draft(draft, lifetime)
    if draft.draft_expires_at == before:  # not across the turn of an hour
        assert draft not in db.session.dirty
    db.session.commit()
    participation.save_answer(draft, consultation.recommendations[1], "partly", None, "ar")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Submission, draft.id).language == "ar"
