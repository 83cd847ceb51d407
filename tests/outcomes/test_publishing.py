"""Writing the outcome and publishing it: the guards of `publish`, the outcome page's forms, the
translations of the outcome (machine drafts waiting for review, a person's translation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, RecommendationOutcome
from consult.outcomes import operations
from consult.outcomes.forms import OUTCOME_MAX_CHARS
from consult.outcomes.translation import draft_outcomes
from consult.vocab import ConsultationStatus
from tests.outcomes.support import consultation, set_status, staff, write_outcomes
from tests.support.factories import staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in
from tests.translation.fake_libretranslate import FakeLibreTranslate

OUTCOME = f"/staff/c/{SLUG}/outcome"


@pytest.fixture
def organised(demo_app: Flask) -> Flask:
    staff_member(demo_app, "org@example.org", "organiser")
    return demo_app


def _status_events(app: Flask) -> list[tuple[str, dict, dict]]:
    with app.app_context():
        return [
            (e.actor_label, e.old_state, e.new_state)
            for e in db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "consultation.status_changed")
                .order_by(AuditEvent.id)
            )
        ]


def test_publish_only_from_closed_with_every_outcome_written(organised: Flask) -> None:
    app = organised
    with app.app_context():
        organiser = staff("org@example.org")
        with pytest.raises(operations.NotPublishable) as open_refused:
            operations.publish(consultation(), organiser)
        assert "Only a closed consultation can be published." in map(
            str, open_refused.value.problems
        )
    set_status(app, ConsultationStatus.CLOSED)
    with app.app_context():
        with pytest.raises(operations.NotPublishable) as missing:
            operations.publish(consultation(), staff("org@example.org"))
        [problem] = [str(p) for p in missing.value.problems]
        assert "missing: 1, 2, 3, 4, 5, 6, 7, 8" in problem
        assert consultation().status == ConsultationStatus.CLOSED
    assert _status_events(app) == []

    write_outcomes(app)
    with app.app_context():
        operations.publish(consultation(), staff("org@example.org"))
        db.session.commit()
        assert consultation().status == ConsultationStatus.PUBLISHED
    assert _status_events(app) == [
        ("org@example.org", {"status": "closed"}, {"status": "published"})
    ]
    # A second press changes and records nothing.
    with app.app_context(), pytest.raises(operations.NotPublishable):
        operations.publish(consultation(), staff("org@example.org"))
    assert len(_status_events(app)) == 1


def test_half_written_outcome_and_hidden_recommendations(organised: Flask) -> None:
    app = organised
    set_status(app, ConsultationStatus.CLOSED)
    write_outcomes(app)
    with app.app_context():
        first, *_rest, last = operations.visible_recommendations(consultation())
        operations.save_outcome(staff("org@example.org"), first, "We heard.", "   ")
        db.session.commit()
        assert operations.publishing_problems(consultation())  # "what we will do" is missing
        # A hidden recommendation (position below 1) needs no outcome.
        operations.save_outcome(staff("org@example.org"), first, "We heard.", "We will.")
        db.session.execute(
            sa.delete(RecommendationOutcome).where(
                RecommendationOutcome.recommendation_id == last.id
            )
        )
        assert operations.publishing_problems(consultation())
        last.position = -last.id
        db.session.commit()
        assert operations.publishing_problems(consultation()) == []


def test_outcome_page_saves_each_recommendation_and_publishes(organised: Flask) -> None:
    app = organised
    set_status(app, ConsultationStatus.CLOSED)
    browser = log_in(app, "org@example.org")
    page = browser.get(OUTCOME)
    assert page.status == 200
    assert page.soup.title.get_text().startswith("Outcome ·")
    assert page.soup.find(id="heard-1") is not None and page.soup.find(id="will-do-8") is not None

    # Too long: 422, the typed text kept, nothing stored.
    long_text = "x" * (OUTCOME_MAX_CHARS + 1)
    refused = browser.submit({"heard": long_text, "will_do": "Keep this"}, action_contains="#rec-2")
    assert refused.status == 422
    assert refused.soup.find(id="will-do-2").string == "Keep this"
    assert refused.soup.find(class_="error-summary") is not None

    for position in range(1, 9):
        browser.get(OUTCOME)
        saved = browser.submit(
            {"heard": f"Heard {position}", "will_do": f"Will do {position}"},
            action_contains=f"#rec-{position}",
        )
        assert saved.status == 200, saved.text
    with app.app_context():
        rows = db.session.scalars(
            sa.select(RecommendationOutcome).where(RecommendationOutcome.language == "en")
        ).all()
        assert sorted(r.heard for r in rows) == [f"Heard {n}" for n in range(1, 9)]
        assert {r.made_by for r in rows} == {"org@example.org"}

    page = browser.get(OUTCOME)
    published = browser.submit({}, action_contains="/publish")
    assert published.status == 200
    assert "The outcome is published." in published.text
    assert _status_events(app)[-1][1:] == ({"status": "closed"}, {"status": "published"})


def test_publishing_an_open_consultation_is_refused_on_the_page(organised: Flask) -> None:
    browser = log_in(organised, "org@example.org")
    browser.get(OUTCOME)
    refused = browser.submit({}, action_contains="/publish")
    assert refused.status == 409
    assert "Only a closed consultation can be published." in refused.text
    assert _status_events(organised) == []


def _key(app: Flask, position: int) -> str:
    with app.app_context():
        return next(r.key for r in consultation().recommendations if r.position == position)


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        server.languages["en"] = ["fr", "ar"]
        yield server


def test_machine_drafts_wait_for_review_and_a_person_replaces_them(
    organised: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=libretranslate.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
    )
    set_status(app, ConsultationStatus.CLOSED)
    write_outcomes(app)
    with app.app_context():
        result = draft_outcomes(consultation().id, "fr")
        db.session.commit()
        assert len(result.made) == 8
        row = db.session.scalar(
            sa.select(RecommendationOutcome).where(RecommendationOutcome.language == "fr")
        )
        assert row.heard.startswith("[fr] We heard about idea")
        assert (row.status, row.made_by) == ("draft", "machine:libretranslate")
        again = draft_outcomes(consultation().id, "fr")  # nothing missing: nothing drafted
        assert again.made == []

    staff_member(app, "tr@example.org", "translator")
    browser = log_in(app, "tr@example.org")
    page = browser.get(f"{OUTCOME}/translations?language=fr")
    assert page.status == 200
    assert "Machine translation" in page.text
    saved = browser.submit(
        {"heard": "Nous avons entendu.", "will_do": "Nous ferons."}, action_contains="#rec-1"
    )
    assert saved.status == 200
    with app.app_context():
        row = db.session.scalar(
            sa.select(RecommendationOutcome).where(
                RecommendationOutcome.language == "fr",
                RecommendationOutcome.heard == "Nous avons entendu.",
            )
        )
        assert (row.status, row.made_by) == ("reviewed", "tr@example.org")
        # The source changes: the machine drafts go (they translate the old text), the
        # person's translation stays and is shown as older than the source.
        first = operations.visible_recommendations(consultation())[0]
        second = operations.visible_recommendations(consultation())[1]
        operations.save_outcome(staff("org@example.org"), first, "New heard.", "New will.")
        operations.save_outcome(staff("org@example.org"), second, "New heard.", "New will.")
        db.session.commit()
        remaining = db.session.scalars(
            sa.select(RecommendationOutcome.recommendation_id).where(
                RecommendationOutcome.language == "fr"
            )
        ).all()
        assert first.id in remaining and second.id not in remaining
    page = browser.get(f"{OUTCOME}/translations?language=fr")
    assert "The source text changed after this translation." in page.text
    assert browser.get(f"{OUTCOME}/translations?language=xx").status == 404


def test_machine_translation_off_says_so(organised: Flask) -> None:
    browser = log_in(organised, "org@example.org")
    browser.get(OUTCOME)
    answer = browser.submit({}, action_contains="/outcome/drafts")
    assert "Machine translation is not available" in answer.text


def test_asking_for_drafts_queues_them_in_every_language_and_records_it(
    organised: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=libretranslate.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
    )
    write_outcomes(app)
    browser = log_in(app, "org@example.org")
    browser.get(OUTCOME)
    answer = browser.submit({}, action_contains="/outcome/drafts")
    assert "Machine translations are being drafted in 2 languages." in answer.text
    with app.app_context():
        drafted = db.session.scalars(
            sa.select(RecommendationOutcome.language).where(
                RecommendationOutcome.made_by == "machine:libretranslate"
            )
        ).all()
        assert sorted(set(drafted)) == ["ar", "fr"] and len(drafted) == 16
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "outcome.drafts_requested")
        )
        assert sorted(event.new_state["languages"]) == ["ar", "fr"]
