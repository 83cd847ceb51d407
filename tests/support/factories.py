"""Test data built through the domain operations, not by walking pages.

A test that only needs answers or staff accounts to exist (a moderation test, an access test) gets
them here in a few milliseconds, the same way the app makes them: `start_draft`, `save_answer` and
`submit` for a participant's answers, `create_staff` for an account. The page-walking helpers in
`tests.support.journey` are for tests whose point is the journey itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from consult.core.config import draft_lifetime
from consult.core.extensions import db
from consult.models import Response, Submission
from consult.participation import operations as participation
from consult.staff.accounts.operations import create_staff
from tests.support.journey import SLUG

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Submitted:
    submission_id: int
    response_ids: list[int]  # one per text, in the order given
    receipt: str  # shown to the participant once; only its hash is stored


def _draft(
    texts: list[str], lang: str, stance: str | None, slug: str
) -> tuple[Submission, list[Response]]:
    consultation = participation.get_open_consultation(slug)
    recommendations = consultation.recommendations
    assert len(texts) <= len(recommendations), "one text per recommendation at most"
    draft = participation.start_draft(consultation, lang, draft_lifetime(current_app.config))
    responses = [
        participation.save_answer(draft, recommendation, stance, text, lang)
        for recommendation, text in zip(recommendations, texts, strict=False)
    ]
    return draft, responses


def submission(
    app: Flask,
    texts: list[str],
    lang: str = "en",
    stance: str | None = "agree",
    slug: str = SLUG,
) -> Submitted:
    """A participant answers the first ideas of the (demo) consultation with these texts, in
    `lang`, and submits; needs the `demo_app` fixture (or another loaded consultation)."""
    with app.app_context():
        draft, responses = _draft(texts, lang, stance, slug)
        receipt = participation.submit(draft, current_app.config["SECRET_KEY"])
        db.session.commit()
        return Submitted(draft.id, [r.id for r in responses], receipt)


def submitted_answers(
    app: Flask,
    texts: list[str],
    lang: str = "en",
    stance: str | None = "agree",
    slug: str = SLUG,
) -> list[int]:
    """The response ids of a new submission with these texts (see `submission`)."""
    return submission(app, texts, lang, stance, slug).response_ids


def draft_answers(
    app: Flask,
    texts: list[str],
    lang: str = "en",
    stance: str | None = "agree",
    slug: str = SLUG,
) -> int:
    """A draft with these answers that was never submitted; returns the submission id."""
    with app.app_context():
        draft, _ = _draft(texts, lang, stance, slug)
        db.session.commit()
        return draft.id


def staff_member(app: Flask, email: str, *roles: str, **values: object) -> int:
    """A staff account with PASSWORD and these roles; `values` set other columns
    (`totp_required=True`, `active=False`). Returns the account's id."""
    with app.app_context():
        user = create_staff(email, PASSWORD, list(roles))
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()
        return user.id
