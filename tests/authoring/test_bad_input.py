"""Every bad input gets a clear message and a fitting status, and loses nothing typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, ConsultationText
from tests.authoring.support import SLUG, audit_events, create, organiser, write_texts


def consultation_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Consultation.id)))


def test_a_duplicate_slug_is_refused(app: Flask) -> None:
    staff = organiser(app)
    assert create(staff).status == 200
    page = create(staff, title="Another one, typed with care")
    assert page.status == 422
    assert "Another consultation already uses “housing-2027”" in page.text
    assert page.field_value("title") == "Another one, typed with care"
    assert page.checked("interface_languages") == ["en", "ar", "ps"]
    assert consultation_count(app) == 1


@pytest.mark.parametrize("slug", ["new", "import", "results"])
def test_a_reserved_slug_is_refused(app: Flask, slug: str) -> None:
    page = create(organiser(app), slug=slug)
    assert page.status == 422
    assert "a word the site's addresses use" in page.text
    assert consultation_count(app) == 0


def test_a_malformed_slug_is_refused(app: Flask) -> None:
    page = create(organiser(app), slug="Housing 2027!")
    assert page.status == 422
    assert "lower-case letters, digits and hyphens" in page.text
    assert page.field_value("slug") == "Housing 2027!"


def test_an_invalid_language_code_is_refused(app: Flask) -> None:
    staff = organiser(app)
    page = create(staff, interface_languages=["en", "xx-evil"])
    assert page.status == 422
    assert "Not a language this site offers: xx-evil." in page.text
    page = create(staff, source_language="klingon")
    assert page.status == 422
    assert "Choose one of the languages listed." in page.text
    assert consultation_count(app) == 0


def test_closing_before_opening_is_refused(app: Flask) -> None:
    staff = organiser(app)
    page = create(staff, opens_on="2027-03-01", closes_on="2027-02-01")
    assert page.status == 422
    assert "The closing date is before the opening date." in page.text
    assert page.field_value("opens_on") == "2027-03-01"
    assert page.field_value("closes_on") == "2027-02-01"
    assert consultation_count(app) == 0
    # And in the settings of an existing consultation.
    create(staff)
    staff.get(f"/staff/c/{SLUG}/settings")
    page = staff.submit({"opens_on": "2027-03-01", "closes_on": "2027-02-01"})
    assert page.status == 422 and "before the opening date" in page.text


def test_a_date_or_number_that_does_not_parse_is_kept_as_typed(app: Flask) -> None:
    page = create(organiser(app), closes_on="31/02/2027", retention_days="two years")
    assert page.status == 422
    assert page.field_value("closes_on") == "31/02/2027"
    assert page.field_value("retention_days") == "two years"
    assert consultation_count(app) == 0


def test_a_small_group_threshold_below_three_is_refused(app: Flask) -> None:
    page = create(organiser(app), small_group_threshold="2")
    assert page.status == 422
    assert "3 people or more" in page.text


def test_an_edit_that_races_another_organisers_edit_shows_both(app: Flask) -> None:
    first = organiser(app)
    second = organiser(app, "second@example.org")
    create(first)
    write_texts(first)
    first.get(f"/staff/c/{SLUG}/texts")
    second.get(f"/staff/c/{SLUG}/texts")
    assert first.submit({"summary": "First organiser's summary."}).status == 200
    page = second.submit({"summary": "Second organiser's summary, typed at length."})
    assert page.status == 409
    conflict = page.soup.find(id="conflict")
    assert "First organiser's summary." in conflict.get_text()
    assert page.field_value("summary") == "Second organiser's summary, typed at length."
    with app.app_context():
        assert (
            db.session.scalar(sa.select(ConsultationText.summary)) == "First organiser's summary."
        )
    # Saving again, having seen both, replaces theirs on purpose.
    page = second.submit()
    assert page.status == 200
    with app.app_context():
        summary = db.session.scalar(sa.select(ConsultationText.summary))
        assert summary == "Second organiser's summary, typed at length."


def test_a_settings_race_is_a_conflict_too(app: Flask) -> None:
    first = organiser(app)
    second = organiser(app, "second@example.org")
    create(first)
    first.get(f"/staff/c/{SLUG}/settings")
    second.get(f"/staff/c/{SLUG}/settings")
    assert first.submit({"retention_days": "365"}).status == 200
    page = second.submit({"retention_days": "90"})
    assert page.status == 409
    assert "365" in page.soup.find(id="conflict").get_text()
    assert page.field_value("retention_days") == "90"
    edits = audit_events(app, "consultation.settings_edited")
    assert [(e.old_state, e.new_state) for e in edits] == [
        ({"retention_days": 730}, {"retention_days": 365})
    ]


def test_a_recommendation_edit_race_is_a_conflict(app: Flask) -> None:
    from tests.authoring.support import add_recommendation, recommendation_ids

    first = organiser(app)
    second = organiser(app, "second@example.org")
    create(first)
    add_recommendation(first, "The first wording")
    [rid] = recommendation_ids(app)
    first.get(f"/staff/c/{SLUG}/recommendations/{rid}")
    second.get(f"/staff/c/{SLUG}/recommendations/{rid}")
    assert first.submit({"title": "The first organiser's wording"}).status == 200
    page = second.submit({"title": "The second organiser's wording"})
    assert page.status == 409
    assert "The first organiser's wording" in page.soup.find(id="conflict").get_text()
    assert page.field_value("title") == "The second organiser's wording"


def test_the_staff_forms_need_their_security_token(app: Flask) -> None:
    staff = organiser(app)
    staff.get("/staff/c/new")
    response = staff.client.post(
        "/staff/c/new", data={"slug": "no-token", "title": "T", "source_language": "en"}
    )
    assert response.status_code == 400
    assert consultation_count(app) == 0
