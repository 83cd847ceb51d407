"""Working languages: which approved answers need a human translation into which language
(`needed_translations`), without a request."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, StaffUser
from consult.translation import desk
from consult.translation.desk_queries import language_of, needed_translations, working_languages
from tests.support.factories import staff_member, submitted_answers
from tests.translation.desk_support import (
    ARABIC,
    ENGLISH,
    FRENCH,
    approved_answers,
    machine_draft,
    set_working_languages,
)


def _needed(app: Flask, response_id: int) -> list[str]:
    with app.app_context():
        return needed_translations(db.session.get(Response, response_id))


def test_no_working_languages_means_the_source_language(demo_app: Flask) -> None:
    set_working_languages(demo_app, [])
    with demo_app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        assert working_languages(consultation) == [consultation.source_language] == ["en"]
    [arabic] = approved_answers(demo_app, [ARABIC], lang="ar")
    assert _needed(demo_app, arabic) == ["en"]


def test_an_answer_needs_each_working_language_it_is_not_written_in(demo_app: Flask) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    (english,) = approved_answers(demo_app, [ENGLISH])
    (arabic,) = approved_answers(demo_app, [ARABIC], lang="ar")
    (french,) = approved_answers(demo_app, [FRENCH], lang="fr")
    assert _needed(demo_app, english) == ["ar"]
    assert _needed(demo_app, arabic) == ["en"]
    assert _needed(demo_app, french) == ["en", "ar"]


def test_the_detected_language_counts_when_the_detector_is_confident(demo_app: Flask) -> None:
    # Arabic written while the interface was in English: detected, confidently, as Arabic.
    [arabic] = approved_answers(demo_app, [ARABIC], lang="en")
    with demo_app.app_context():
        response = db.session.get(Response, arabic)
        assert response.text_language == "en" and language_of(response) == "ar"
        assert needed_translations(response) == ["en"]
        # Not confident: the declared language is taken.
        response.detected_confidence = 0.3
        assert language_of(response) == "en" and needed_translations(response) == []


def test_only_approved_answers_with_a_public_version_need_translations(demo_app: Flask) -> None:
    [pending] = submitted_answers(demo_app, [ARABIC], lang="ar")
    assert _needed(demo_app, pending) == []


def test_a_machine_draft_does_not_count_a_human_translation_does(demo_app: Flask) -> None:
    [arabic] = approved_answers(demo_app, [ARABIC], lang="ar")
    machine_draft(demo_app, arabic, "en", "We need lawyers who speak our language.")
    assert _needed(demo_app, arabic) == ["en"]
    translator = staff_member(demo_app, "tr@example.org", "translator")
    with demo_app.app_context():
        response = db.session.get(Response, arabic)
        desk.save_translation(
            response, "en", "We need lawyers.", db.session.get(StaffUser, translator)
        )
        db.session.commit()
    assert _needed(demo_app, arabic) == []
