"""Text versions: an answer keeps the version its participant read; a material change of the
consent text makes open drafts agree again before they are sent."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import RecommendationText, RecommendationVersion, Response, Submission
from tests.authoring.support import (
    SLUG,
    audit_events,
    create,
    organiser,
    press,
    ready_to_open,
    recommendation_ids,
    translate,
    write_texts,
)
from tests.authoring.test_journey import answer_in
from tests.support.browser import Browser
from tests.support.staff import log_in, make_staff


def edit_idea(staff: Browser, rid: int, title: str, meaning_changed: bool) -> int:
    staff.get(f"/staff/c/{SLUG}/recommendations/{rid}")
    page = staff.submit({"title": title, "meaning_changed": "y" if meaning_changed else None})
    return page.status


def test_an_answer_keeps_the_version_its_participant_read(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    translate(app, SLUG, "ar", "السكن", ideas=["الفكرة الأولى"])
    press(staff, SLUG, "open")
    answer_in(app, "ar", text="رأيي الأول")
    [rid] = recommendation_ids(app)

    # A typo fix keeps the version (and the translation).
    assert edit_idea(staff, rid, "Idea 1 in English, corrected", meaning_changed=False) == 200
    with app.app_context():
        assert db.session.scalar(sa.select(RecommendationVersion.id)) is None
    # A change of meaning archives the text in every language and starts version 2.
    assert edit_idea(staff, rid, "A different idea altogether", meaning_changed=True) == 200
    answer_in(app, "en", text="My view of the new idea")

    with app.app_context():
        versions = {
            r.text: r.recommendation_version
            for r in db.session.scalars(sa.select(Response).where(Response.text.is_not(None)))
        }
        assert versions == {"رأيي الأول": 1, "My view of the new idea": 2}
        archived = {
            (v.version, v.language): v.title
            for v in db.session.scalars(sa.select(RecommendationVersion))
        }
        assert archived == {(1, "en"): "Idea 1 in English, corrected", (1, "ar"): "الفكرة الأولى"}
        # The Arabic translated the old meaning: gone, participants get the new source text.
        languages = db.session.scalars(sa.select(RecommendationText.language)).all()
        assert languages == ["en"]
        first = db.session.scalar(sa.select(Response.id).where(Response.text == "رأيي الأول"))
        second = db.session.scalar(
            sa.select(Response.id).where(Response.text == "My view of the new idea")
        )
    edited = audit_events(app, "recommendation.edited")[-1]
    assert edited.old_state["text_version"] == 1 and edited.new_state["text_version"] == 2
    assert "A different idea" not in str(edited.new_state)  # what, not the text

    make_staff(app, "moderator@example.org", "moderator")
    moderator = log_in(app, "moderator@example.org")
    page = moderator.get(f"/staff/moderate/{first}")
    assert page.status == 200
    section = page.soup.find(id="rec-heading").find_parent("section")
    assert "الفكرة الأولى" in section.get_text()  # the version they read, in their language
    assert "A different idea" not in section.get_text()
    page = moderator.get(f"/staff/moderate/{second}")
    assert (
        "A different idea altogether"
        in page.soup.find(id="rec-heading").find_parent("section").get_text()
    )


def test_a_consent_change_makes_open_drafts_agree_again(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, SLUG, "open")

    participant = Browser(app.test_client())
    participant.get(f"/en/c/{SLUG}/")
    participant.submit({"agree": "y"})
    participant.submit({"stance": "agree", "text": "Keep this"}, button=("action", "next"))

    # A typo fix: nothing to agree again.
    write_texts(staff, consent="Your answers are anonymous and kept for two years!")
    # A material change.
    page = write_texts(staff, consent="Your answers are kept for five years.", consent_changed="y")
    assert page.status == 200
    event = audit_events(app, "consultation.texts_edited")[-1]
    assert event.old_state == {"consent_version": 1}
    assert event.new_state["consent_version"] == 2 and event.new_state["fields"] == ["consent"]

    participant.get(f"/en/c/{SLUG}/review")
    page = participant.submit()
    assert page.url == f"/en/c/{SLUG}/"  # back to the consent text
    assert "What you agree to has changed" in page.text
    assert "kept for five years" in page.text
    with app.app_context():
        draft = db.session.scalar(sa.select(Submission))
        assert draft.state == "draft" and draft.consent_version == 1
    page = participant.submit({"agree": "y"}, action_contains=f"/c/{SLUG}/")
    assert page.url == f"/en/c/{SLUG}/review", page.text
    page = participant.submit()
    assert page.url == f"/en/c/{SLUG}/thanks"
    with app.app_context():
        sent = db.session.scalar(sa.select(Submission))
        assert sent.state == "submitted" and sent.consent_version == 2
        assert db.session.scalar(sa.select(Response.text)) == "Keep this"


def test_the_preview_shows_the_page_of_people_who_must_agree_again(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    intro = staff.get(f"/staff/c/{SLUG}/preview/en/")
    assert "began before the consent text changed" not in intro.text  # nothing changed yet
    write_texts(staff, consent="Your answers are kept for five years.", consent_changed="y")
    intro = staff.get(f"/staff/c/{SLUG}/preview/en/")
    assert "What you agree to has changed" not in intro.text
    link = intro.soup.find(
        "a", string="See this page as someone who began before the consent text changed"
    )
    returning = staff.get(link["href"])
    assert returning.status == 200
    assert "What you agree to has changed" in returning.text
    assert "kept for five years" in returning.text
    assert returning.soup.find("a", string="See this page as a new participant") is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
