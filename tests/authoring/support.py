"""Helpers for the authoring tests: an organiser's browser, and a consultation made through the
real forms (CSRF included)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import (
    AuditEvent,
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationText,
)
from tests.support.browser import Browser, Page
from tests.support.factories import staff_member
from tests.support.staff import log_in

ORGANISER = "organiser@example.org"
SLUG = "housing-2027"


def organiser(app: Flask, email: str = ORGANISER, role: str = "organiser") -> Browser:
    staff_member(app, email, role)
    return log_in(app, email)


def create(
    browser: Browser,
    slug: str = SLUG,
    title: str = "Housing for people on the move",
    languages: list[str] | None = None,
    **fields: str | list[str] | None,
) -> Page:
    browser.get("/staff/c/new")
    values: dict[str, str | list[str] | None] = {
        "slug": slug,
        "title": title,
        "source_language": "en",
        "interface_languages": languages or ["en", "ar", "ps"],
        "working_languages": ["en"],
        "retention_days": "730",
        "small_group_threshold": "5",
    }
    values.update(fields)
    return browser.submit(values)


def write_texts(browser: Browser, slug: str = SLUG, **fields: str | None) -> Page:
    browser.get(f"/staff/c/{slug}/texts")
    values: dict[str, str | list[str] | None] = {
        "title": "Housing for people on the move",
        "summary": "Tell us what would make housing work.",
        "introduction": "We are asking about housing.",
        "consent": "Your answers are anonymous and kept for two years.",
    }
    values.update(fields)
    return browser.submit(values)


def add_recommendation(
    browser: Browser, title: str, slug: str = SLUG, section: str = "Housing", stage: str = "all"
) -> Page:
    browser.get(f"/staff/c/{slug}/recommendations")
    return browser.submit(
        {"title": title, "explanation": "", "section": section, "stage": stage},
        form_index=-1,  # the add form, after each recommendation's buttons
        action_contains="/recommendations",
    )


def press(browser: Browser, slug: str, action: str) -> Page:
    browser.get(f"/staff/c/{slug}/status")
    return browser.submit(button=("action", action), action_contains="/status")


def ready_to_open(browser: Browser, slug: str = SLUG, recommendations: int = 2) -> None:
    """Texts and recommendations written through the forms."""
    assert write_texts(browser, slug).status == 200
    for number in range(1, recommendations + 1):
        page = add_recommendation(browser, f"Idea {number} in English", slug)
        assert page.status == 200, page.text


def translate(
    app: Flask,
    slug: str,
    language: str,
    title: str,
    question: str | None = None,
    ideas: list[str] | None = None,
) -> None:
    """Reviewed content in another language, written as rows (the side-by-side editor is another
    area's)."""
    with app.app_context():
        consultation = consultation_row(slug)
        db.session.add(
            ConsultationText(
                consultation_id=consultation.id,
                language=language,
                title=title,
                summary=f"{title} …",
                introduction=title,
                consent=f"{title} ✓",
                question=question,
                status="reviewed",
                made_by="translator@example.org",
            )
        )
        visible = sorted(
            (r for r in consultation.recommendations if r.visible), key=lambda r: r.position
        )
        for recommendation, idea in zip(visible, ideas or [], strict=False):
            db.session.add(
                RecommendationText(
                    recommendation_id=recommendation.id,
                    language=language,
                    title=idea,
                    status="reviewed",
                    made_by="translator@example.org",
                )
            )
        db.session.commit()


def consultation_row(slug: str = SLUG) -> Consultation:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def set_dates(app: Flask, slug: str, opens_on: date | None, closes_on: date | None) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Consultation)
            .where(Consultation.slug == slug)
            .values(opens_on=opens_on, closes_on=closes_on)
        )
        db.session.commit()


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def recommendation_ids(app: Flask, slug: str = SLUG) -> list[int]:
    """Visible recommendations' ids in their order."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Recommendation.id)
                .join(Consultation)
                .where(Consultation.slug == slug, Recommendation.visible)
                .order_by(Recommendation.position)
            )
        )
