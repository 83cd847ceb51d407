"""Machine drafts of approved answers (the in-process path: no Redis): what is sent to the provider
(only approved answers' public text), what is stored, and what a failing provider leaves behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, StaffUser
from consult.models.moderation import ResponseTranslation
from consult.moderation.operations import Decision, decide
from consult.translation.machine import requeue_missing, translate_response
from tests.support.factories import draft_answers, staff_member, submitted_answers
from tests.translation.fake_libretranslate import FakeLibreTranslate

PLAIN = "Free lawyers would save families years of waiting for their papers."
SECRET = "Call my brother Ahmed on +49 151 23456789, he knows the lawyer."
REDACTED = "Call my brother [name] on [phone], he knows the lawyer."


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        yield server


@pytest.fixture
def translating(demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate) -> Flask:
    """An app on the demo database with LibreTranslate configured; the demo consultation's
    organisers read English, French and Arabic; one moderator."""
    app = app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=libretranslate.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
    )
    staff_member(app, "mod@example.org", "moderator")
    with app.app_context():
        for consultation in db.session.scalars(sa.select(Consultation)):
            consultation.working_languages = ["en", "fr", "ar"]
        db.session.commit()
    return app


def moderate(app: Flask, response_id: int, decision: Decision, **values: object) -> None:
    """A moderator's decision, committed the way the moderation page commits it."""
    with app.app_context():
        moderator = db.session.scalar(sa.select(StaffUser))
        decide(db.session.get(Response, response_id), moderator, decision, **values)
        db.session.commit()


def translations(app: Flask, response_id: int) -> dict[str, ResponseTranslation]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(ResponseTranslation).where(ResponseTranslation.response_id == response_id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return {row.language: row for row in rows}


def test_an_approved_answer_gets_machine_drafts_in_the_other_working_languages(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    [rid] = submitted_answers(translating, [PLAIN])
    assert libretranslate.requests == []
    moderate(translating, rid, Decision.APPROVE)
    drafts = translations(translating, rid)
    assert set(drafts) == {"fr", "ar"}  # not into English, the answer's own language
    assert drafts["fr"].text == f"[fr] {PLAIN}"
    assert {row.provenance for row in drafts.values()} == {"machine:libretranslate"}
    assert not any(row.reviewed for row in drafts.values())
    assert all(row.translator_id is None for row in drafts.values())


def test_unapproved_answers_and_originals_never_reach_the_provider(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    pending, rejected, escalated, redacted = submitted_answers(
        translating,
        [
            "Pending answer about the asylum interview, still waiting for a moderator.",
            "Rejected answer with insults that nobody should ever read in public.",
            "Escalated answer: I am not safe where I sleep tonight, please help.",
            SECRET,
        ],
    )
    draft = draft_answers(translating, ["A draft answer that was never sent by its author."])
    moderate(translating, rejected, Decision.REJECT)
    moderate(translating, escalated, Decision.ESCALATE, note="call the family")
    moderate(translating, redacted, Decision.REDACT, public_text=REDACTED)
    with translating.app_context():
        # Even asked directly, and asked to catch up on everything, the job sends none of them.
        for response_id in (pending, rejected, escalated):
            translate_response(response_id)
        draft_ids = list(
            db.session.scalars(sa.select(Response.id).where(Response.submission_id == draft))
        )
        for response_id in draft_ids:
            translate_response(response_id)
        requeue_missing()
        db.session.commit()
    sent = libretranslate.sent_text()
    for word in ("Pending", "Rejected", "Escalated", "never sent", "Ahmed", "23456789"):
        assert word not in sent
    assert [body["q"] for body in libretranslate.translate_bodies] == [REDACTED, REDACTED]
    assert translations(translating, redacted)["ar"].text == f"[ar] {REDACTED}"
    for response_id in (pending, rejected, escalated, *draft_ids):
        assert translations(translating, response_id) == {}


def test_a_human_translation_is_kept_and_not_drafted_again(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    [rid] = submitted_answers(translating, [PLAIN])
    with translating.app_context():
        db.session.add(
            ResponseTranslation(
                response_id=rid, language="fr", text="Traduit par une personne", provenance="human"
            )
        )
        db.session.commit()
    moderate(translating, rid, Decision.APPROVE)
    assert [body["target"] for body in libretranslate.translate_bodies] == ["ar"]
    drafts = translations(translating, rid)
    assert drafts["fr"].provenance == "human" and drafts["fr"].text == "Traduit par une personne"


def test_running_again_replaces_the_older_draft(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    [rid] = submitted_answers(translating, [PLAIN])
    moderate(translating, rid, Decision.APPROVE)
    libretranslate.translation = lambda text, target: f"<{target}> {text}"  # type: ignore[method-assign]
    with translating.app_context():
        translate_response(rid)
        db.session.commit()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(ResponseTranslation))
    assert count == 2
    assert translations(translating, rid)["fr"].text == f"<fr> {PLAIN}"


@pytest.mark.parametrize("failure", ["down", "one-language", "garbage", "slow"])
def test_a_failing_provider_leaves_the_answer_approved_and_untranslated(
    translating: Flask, libretranslate: FakeLibreTranslate, failure: str
) -> None:
    if failure == "down":
        libretranslate.mode = "error"
    elif failure == "one-language":
        libretranslate.failing_targets = {"ar"}  # French works, Arabic fails: neither is stored
    elif failure == "garbage":
        libretranslate.mode = "not-json"
    else:
        translating.config["CONSULT_TRANSLATION_TIMEOUT"] = 1
        libretranslate.mode, libretranslate.delay = "slow", 2.5
    [rid] = submitted_answers(translating, [PLAIN])
    moderate(translating, rid, Decision.APPROVE)
    with translating.app_context():
        assert db.session.get(Response, rid).moderation_state == "approved"
    assert translations(translating, rid) == {}
    # Once the provider is back, the re-queue command translates what is missing.
    libretranslate.mode, libretranslate.failing_targets = "ok", set()
    result = translating.test_cli_runner().invoke(args=["translate", "requeue"])
    assert result.exit_code == 0, result.output
    assert "1 answer(s) lacking a translation" in result.output
    assert set(translations(translating, rid)) == {"fr", "ar"}
    again = translating.test_cli_runner().invoke(args=["translate", "requeue"])
    assert "0 answer(s)" in again.output


def test_the_manual_provider_sends_nothing(
    demo_app: Flask, libretranslate: FakeLibreTranslate
) -> None:
    staff_member(demo_app, "mod@example.org", "moderator")
    [rid] = submitted_answers(demo_app, [PLAIN])
    moderate(demo_app, rid, Decision.APPROVE)
    with demo_app.app_context():
        translate_response(rid)
        db.session.commit()
    assert translations(demo_app, rid) == {}
    result = demo_app.test_cli_runner().invoke(args=["translate", "requeue"])
    assert "Machine translation is off" in result.output
