"""Arranging the world of the outcome tests through the domain operations: answers submitted and
moderated, the consultation closed, outcomes written."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, StaffUser
from consult.moderation.operations import Decision, decide
from consult.outcomes import operations
from consult.vocab import ConsultationStatus
from tests.support.factories import staff_member
from tests.support.journey import SLUG


def staff(email: str) -> StaffUser:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def consultation() -> Consultation:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))


def moderate(
    app: Flask, response_id: int, decision: Decision, public_text: str | None = None
) -> None:
    """A moderator decides on one answer (the account is made on first use)."""
    with app.app_context():
        moderator = staff("mod@example.org")
        if moderator is None:
            staff_member(app, "mod@example.org", "moderator")
            moderator = staff("mod@example.org")
        decide(db.session.get(Response, response_id), moderator, decision, public_text=public_text)
        db.session.commit()


def set_status(app: Flask, status: ConsultationStatus) -> None:
    """The demo consultation moved to `status` (opening and closing are issue 12's pages)."""
    with app.app_context():
        consultation().status = status
        db.session.commit()


def write_outcomes(app: Flask, email: str = "org@example.org") -> None:
    """An organiser writes the outcome of every visible recommendation in English."""
    with app.app_context():
        organiser = staff(email)
        for recommendation in operations.visible_recommendations(consultation()):
            operations.save_outcome(
                organiser,
                recommendation,
                f"We heard about idea {recommendation.position}.",
                f"We will act on idea {recommendation.position}.",
            )
        db.session.commit()
