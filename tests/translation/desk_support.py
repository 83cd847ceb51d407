"""Arranging the translation desk's world through the operations: approved answers, working
languages, machine drafts (as the translation jobs store them), translators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, ResponseTranslation, StaffUser
from consult.moderation.operations import Decision, decide
from tests.support.factories import staff_member, submitted_answers
from tests.support.journey import SLUG

ENGLISH = "Free lawyers would save families years of waiting."
ARABIC = "نحتاج إلى محامين يتكلمون لغتنا، وإلا نوقع أوراقاً لا نفهمها."
FRENCH = "Nous avons besoin d'avocats qui parlent notre langue pour comprendre les papiers."
MODERATOR = "mod@example.org"


def set_working_languages(app: Flask, languages: list[str], slug: str = SLUG) -> None:
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
        consultation.working_languages = languages
        db.session.commit()


def approved_answers(
    app: Flask, texts: list[str], lang: str = "en", redact: dict[int, str] | None = None
) -> list[int]:
    """A participant's submitted answers, each approved by a moderator (`redact`: index → the
    public version the moderator wrote instead)."""
    ids = submitted_answers(app, texts, lang=lang)
    with app.app_context():
        moderator = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == MODERATOR))
        if moderator is None:
            staff_member(app, MODERATOR, "moderator")
            moderator = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == MODERATOR))
        for index, response_id in enumerate(ids):
            response = db.session.get(Response, response_id)
            if response.moderation_state is None:
                continue  # a stance only: nothing to moderate
            if redact and index in redact:
                decide(response, moderator, Decision.REDACT, public_text=redact[index])
            else:
                decide(response, moderator, Decision.APPROVE)
        db.session.commit()
    return ids


def machine_draft(app: Flask, response_id: int, language: str, text: str) -> None:
    """A machine draft, as the translation jobs store it."""
    with app.app_context():
        db.session.add(
            ResponseTranslation(
                response_id=response_id,
                language=language,
                text=text,
                provenance="machine:test",
                reviewed=False,
            )
        )
        db.session.commit()


def answer_row(app: Flask, response_id: int) -> tuple[str | None, str | None]:
    """(original text, public version) of an answer."""
    with app.app_context():
        response = db.session.get(Response, response_id)
        return response.text, response.public_text


def translations(app: Flask, response_id: int) -> list[tuple[str, str, str, int | None, bool]]:
    """(language, provenance, text, translator id, reviewed) of each translation of an answer."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(ResponseTranslation)
            .where(ResponseTranslation.response_id == response_id)
            .order_by(ResponseTranslation.language, ResponseTranslation.provenance)
        )
        return [(r.language, r.provenance, r.text, r.translator_id, r.reviewed) for r in rows]
