"""Machine drafts of consultation content (`flask --app consult translate content SLUG LANG`): only
what is missing, from the source language, as unreviewed drafts; nothing written by a person is
changed, and a failing provider stores nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, ConsultationText, RecommendationText
from tests.support.browser import Browser
from tests.support.journey import SLUG, start
from tests.translation.fake_libretranslate import FakeLibreTranslate


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        server.languages["en"] = ["fr", "ar", "de"]  # German: a language the demo does not have
        yield server


@pytest.fixture
def translating(demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate) -> Flask:
    return app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=libretranslate.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
    )


def draft(app: Flask, language: str, *options: str):
    return app.test_cli_runner().invoke(args=["translate", "content", SLUG, language, *options])


def texts_in(app: Flask, language: str) -> tuple[ConsultationText | None, list[RecommendationText]]:
    with app.app_context():
        consultation = db.session.scalar(sa.select(ConsultationText).filter_by(language=language))
        recommendations = db.session.scalars(
            sa.select(RecommendationText).filter_by(language=language)
        ).all()
        db.session.expunge_all()
        return consultation, list(recommendations)


def set_english_outcome(app: Flask, outcome: str) -> None:
    with app.app_context():
        row = db.session.scalar(sa.select(ConsultationText).filter_by(language="en"))
        row.outcome = outcome
        db.session.commit()


def test_missing_content_is_drafted_for_review(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    result = draft(translating, "de")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Drafted in de: consultation, legal-assistance,")
    consultation, recommendations = texts_in(translating, "de")
    english, english_recommendations = texts_in(translating, "en")
    assert consultation is not None and english is not None
    assert consultation.title == f"[de] {english.title}"
    assert consultation.status == "draft" and consultation.made_by == "machine:libretranslate"
    assert set(consultation.section_titles) == set(english.section_titles)
    assert len(recommendations) == len(english_recommendations) == 8
    assert {(r.status, r.made_by) for r in recommendations} == {("draft", "machine:libretranslate")}
    assert {body["source"] for body in libretranslate.translate_bodies} == {"en"}
    # Twice changes nothing and sends nothing.
    sent = len(libretranslate.translate_bodies)
    assert "nothing (every text exists" in draft(translating, "de").output
    assert len(libretranslate.translate_bodies) == sent


def test_the_outcome_is_added_to_machine_drafts_only(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    assert draft(translating, "de").exit_code == 0
    set_english_outcome(translating, "We heard you: legal aid will be free.")
    assert draft(translating, "de").output.startswith("Drafted in de: outcome.")
    assert texts_in(translating, "de")[0].outcome == "[de] We heard you: legal aid will be free."
    # French was written by people (the demo's translators): not touched, and said so.
    before = texts_in(translating, "fr")
    result = draft(translating, "fr")
    assert "Not drafted: outcome: the text in this language was made by a person" in result.output
    after = texts_in(translating, "fr")
    assert after[0].outcome is None and after[0].made_by == before[0].made_by
    assert [r.title for r in after[1]] == [r.title for r in before[1]]


def test_a_provider_failing_midway_stores_nothing(
    translating: Flask, libretranslate: FakeLibreTranslate
) -> None:
    libretranslate.fail_after = 5
    result = draft(translating, "de")
    assert result.exit_code == 1 and "HTTP 500" in result.output
    assert texts_in(translating, "de") == (None, [])


def test_unsupported_language_and_manual_provider_are_refused(
    translating: Flask, demo_app: Flask, libretranslate: FakeLibreTranslate
) -> None:
    result = draft(translating, "fa")
    assert result.exit_code == 1 and "does not translate en into fa" in result.output
    assert libretranslate.translate_bodies == []
    result = draft(demo_app, "de")
    assert result.exit_code == 1 and "machine translation is off" in result.output
    assert (
        "No consultation"
        in demo_app.test_cli_runner().invoke(args=["translate", "content", "nope", "de"]).output
    )


def test_as_a_job_without_redis_it_runs_at_once(translating: Flask) -> None:
    result = draft(translating, "de", "--background")
    assert result.output.strip() == f"Content drafts for {SLUG} in de: ran."
    assert len(texts_in(translating, "de")[1]) == 8
    with translating.app_context():
        assert db.session.scalar(sa.select(Consultation.slug)) == SLUG


def test_participants_see_the_source_until_a_machine_draft_is_reviewed(
    translating: Flask,
) -> None:
    with translating.app_context():
        french = db.session.scalar(sa.select(RecommendationText).filter_by(language="fr"))
        french_id, recommendation_id = french.id, french.recommendation_id
        db.session.delete(french)
        db.session.commit()
    assert draft(translating, "fr").exit_code == 0
    with translating.app_context():
        drafted = db.session.scalar(
            sa.select(RecommendationText).filter_by(
                language="fr", recommendation_id=recommendation_id
            )
        )
        assert drafted.id != french_id and drafted.made_by == "machine:libretranslate"
        english = db.session.scalar(
            sa.select(RecommendationText).filter_by(
                language="en", recommendation_id=recommendation_id
            )
        )
        position = drafted.recommendation.position
        drafted_title, english_title = drafted.title, english.title
        drafted_id = drafted.id
        # The demo shows its (human) French drafts by choice; an organiser who has not chosen
        # to show drafts in a language (docs/decisions.md, issue 12 content) is the case here.
        db.session.scalar(sa.select(Consultation)).drafts_shown_languages = []
        db.session.commit()
    participant = Browser(translating.test_client())
    start(participant, "fr")
    page = participant.get(f"/fr/c/{SLUG}/q/{position}")
    assert english_title in page.text and drafted_title not in page.text
    assert page.soup.select_one(".fallback-notice") is not None
    with translating.app_context():
        row = db.session.get(RecommendationText, drafted_id)
        row.status = "reviewed"  # a person checked it
        db.session.commit()
    page = participant.get(f"/fr/c/{SLUG}/q/{position}")
    assert drafted_title in page.text
