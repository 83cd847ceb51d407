"""An organiser creates a consultation through the real forms, opens it, a participant answers it
in Pashto, the organiser closes it and the participant sees the closed page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Response, Submission
from tests.authoring.support import (
    SLUG,
    add_recommendation,
    audit_events,
    create,
    organiser,
    press,
    ready_to_open,
    translate,
    write_texts,
)
from tests.support.browser import Browser

PASHTO_TITLE = "د کډوالو لپاره کورونه"
PASHTO_QUESTION = "تاسو څه فکر کوئ؟ (ستاسو نظر)"
ARABIC_TITLE = "السكن للمهاجرين"


def answer_in(app: Flask, lang: str, slug: str = SLUG, text: str = "") -> Browser:
    """A participant agrees, answers the first idea and sends; returns their browser."""
    participant = Browser(app.test_client())
    page = participant.get(f"/{lang}/c/{slug}/")
    assert page.status == 200, page.text
    page = participant.submit({"agree": "y"})
    assert page.url == f"/{lang}/c/{slug}/q/1", page.text
    page = participant.submit({"stance": "agree", "text": text}, button=("action", "next"))
    assert page.status == 200, page.text
    participant.get(f"/{lang}/c/{slug}/review")
    page = participant.submit(button=None)
    assert page.url == f"/{lang}/c/{slug}/thanks", page.text
    return participant


def test_create_open_answer_in_pashto_close(app: Flask) -> None:
    staff = organiser(app)
    page = create(staff)
    assert page.status == 200, page.text
    assert page.url == f"/staff/c/{SLUG}/texts"
    ready_to_open(staff)
    translate(app, SLUG, "ar", ARABIC_TITLE, ideas=["الفكرة ١", "الفكرة ٢"])
    translate(
        app, SLUG, "ps", PASHTO_TITLE, question=PASHTO_QUESTION, ideas=["لومړۍ مفکوره", "دوهمه"]
    )

    # A draft is not public.
    assert Browser(app.test_client()).get(f"/ps/c/{SLUG}/").status == 404

    page = press(staff, SLUG, "open")
    assert page.status == 200, page.text
    with app.app_context():
        assert db.session.scalar(sa.select(Consultation.status)) == "open"

    participant = Browser(app.test_client())
    home = participant.get("/ps/")
    assert PASHTO_TITLE in home.text
    intro = participant.get(f"/ps/c/{SLUG}/")
    assert intro.soup.find("h1").get_text(strip=True) == PASHTO_TITLE
    question = participant.submit({"agree": "y"})
    assert "لومړۍ مفکوره" in question.text
    # The consultation's own question, in Pashto.
    assert question.soup.find("legend").get_text(strip=True) == PASHTO_QUESTION
    participant.submit({"stance": "partly", "text": "دا ښه ده"}, button=("action", "next"))
    participant.get(f"/ps/c/{SLUG}/review")
    thanks = participant.submit()
    assert thanks.url == f"/ps/c/{SLUG}/thanks", thanks.text

    with app.app_context():
        submission = db.session.scalar(sa.select(Submission))
        assert submission.state == "submitted" and submission.language == "ps"
        response = db.session.scalar(sa.select(Response).where(Response.text.is_not(None)))
        assert response.recommendation_version == 1

    listing = staff.get("/staff/c/")
    row = listing.soup.find("a", string="Housing for people on the move").find_parent("tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[0] == "Open" and cells[-2:] == ["1", "1"]

    page = press(staff, SLUG, "close")
    assert page.status == 200
    assert "/staff/c/housing-2027/outcome" in page.html
    closed = Browser(app.test_client()).get(f"/ps/c/{SLUG}/")
    assert closed.status == 410
    assert PASHTO_TITLE in closed.text

    changes = [
        (e.old_state, e.new_state["status"])
        for e in audit_events(app, "consultation.status_changed")
    ]
    assert [(old["status"], new) for old, new in changes] == [("draft", "open"), ("open", "closed")]
    created = audit_events(app, "consultation.created")[0]
    assert created.actor_label == "organiser@example.org"
    assert created.new_state["interface_languages"] == ["en", "ar", "ps"]


def test_question_wording_defaults_to_the_translated_interface_text(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    translate(app, SLUG, "ar", ARABIC_TITLE, ideas=["الفكرة ١"])
    press(staff, SLUG, "open")

    english = Browser(app.test_client())
    english.get(f"/en/c/{SLUG}/")
    page = english.submit({"agree": "y"})
    assert page.soup.find("legend").get_text(strip=True) == "What do you think?"
    write_texts(staff, question="How would this change your life?", question_why="Tell us why.")
    page = english.get(f"/en/c/{SLUG}/q/1")
    assert page.soup.find("legend").get_text(strip=True) == "How would this change your life?"
    assert page.soup.find("label", attrs={"for": "text"}).get_text(strip=True) == "Tell us why."
    # Arabic has no wording of its own: the interface's Arabic default, not the English wording.
    arabic = Browser(app.test_client())
    arabic.get(f"/ar/c/{SLUG}/")
    page = arabic.submit({"agree": "y"})
    assert "How would this change" not in page.text
    assert page.soup.find("legend").get_text(strip=True) != "What do you think?"


def test_several_open_consultations_on_the_home_page_with_closing_dates(app: Flask) -> None:
    from datetime import date, timedelta

    staff = organiser(app)
    later = (date.today() + timedelta(days=30)).isoformat()
    for slug, title in (("housing-2027", "Housing"), ("schools-2027", "Schools")):
        assert create(staff, slug=slug, title=title, closes_on=later).status == 200
        ready_to_open(staff, slug, recommendations=1)
        write_texts(staff, slug, title=title)
        press(staff, slug, "open")
    home = Browser(app.test_client()).get("/en/")
    assert "Housing" in home.text and "Schools" in home.text
    assert home.text.count("Open until") == 2
    # Each has its own address, and a receipt from either works.
    for slug in ("housing-2027", "schools-2027"):
        participant = answer_in(app, "en", slug)
        code = participant.page.soup.find(class_="receipt-code").get_text(strip=True)
        lookup = Browser(app.test_client())
        lookup.get("/en/r/")
        assert lookup.submit({"code": code}).status == 200


def test_adding_an_empty_recommendation_is_refused(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    page = add_recommendation(staff, "   ")
    assert page.status == 422
    assert "cannot be empty" in page.text
    assert page.field_value("section") == "Housing"  # nothing typed is lost
