"""Status: draft → open → closed with guards; closing by date on request; recommendations that
are hidden, reordered and deleted."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from consult.authoring import lifecycle
from consult.core.extensions import db
from consult.models import AuditEvent, Consultation, StaffUser
from tests.authoring.support import (
    SLUG,
    add_recommendation,
    audit_events,
    consultation_row,
    create,
    organiser,
    press,
    ready_to_open,
    recommendation_ids,
    set_dates,
    write_texts,
)
from tests.authoring.test_journey import answer_in
from tests.support.browser import Browser


def status(app: Flask, slug: str = SLUG) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Consultation.status).where(Consultation.slug == slug))


def test_it_cannot_open_without_consent_text_and_a_recommendation(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    page = staff.get(f"/staff/c/{SLUG}/status")
    assert "Write the consent text in the source language." in page.text
    assert "Add at least one recommendation with its text." in page.text
    page = press(staff, SLUG, "open")
    assert page.status == 409
    assert status(app) == "draft"
    write_texts(staff)
    add_recommendation(staff, "An idea")
    assert press(staff, SLUG, "open").status == 200
    assert status(app) == "open"


def test_it_cannot_open_with_its_closing_date_passed(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    set_dates(app, SLUG, None, date.today() - timedelta(days=1))
    page = press(staff, SLUG, "open")
    assert page.status == 409 and "The closing date has passed" in page.text


def test_it_closes_itself_after_its_closing_date(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, SLUG, "open")
    participant = Browser(app.test_client())
    participant.get(f"/en/c/{SLUG}/")
    set_dates(app, SLUG, date.today() - timedelta(days=10), date.today() - timedelta(days=1))

    assert participant.get(f"/en/c/{SLUG}/q/1").status == 410
    assert status(app) == "closed"
    assert Browser(app.test_client()).get(f"/en/c/{SLUG}/").status == 410
    staff.get("/staff/c/")
    closes = [
        e for e in audit_events(app, "consultation.status_changed") if e.actor_label == "system"
    ]
    assert len(closes) == 1
    assert closes[0].actor_id is None
    assert closes[0].old_state == {"status": "open"}
    assert closes[0].new_state["status"] == "closed"
    assert "/outcome" in staff.get(f"/staff/c/{SLUG}/status").html


def test_closing_by_date_is_recorded_once_however_many_ask(app: Flask, app_factory) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, SLUG, "open")
    set_dates(app, SLUG, None, date.today() - timedelta(days=1))
    # Two workers read the open consultation before either closes it.
    other = app_factory()
    with app.app_context():
        mine = consultation_row()
        with other.app_context():
            theirs = consultation_row()
            assert lifecycle.close_if_expired(theirs) is True
            db.session.commit()
        assert lifecycle.close_if_expired(mine) is False
        db.session.commit()
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.actor_label == "system")
        )
        assert count == 1


def test_the_closed_page_links_to_published_results_when_there_are_some(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, SLUG, "open")
    press(staff, SLUG, "close")
    page = Browser(app.test_client()).get(f"/en/c/{SLUG}/")
    assert page.status == 410
    assert "what happens next" not in page.text  # not published yet
    with app.app_context():
        db.session.execute(sa.update(Consultation).values(status="published"))
        db.session.commit()
    page = Browser(app.test_client()).get(f"/en/c/{SLUG}/")
    assert page.status == 410
    link = page.soup.find("a", string="See what people said and what happens next")
    assert link["href"] == f"/en/c/{SLUG}/results"


def test_reorder_hide_show_and_delete(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=3)
    first, second, third = recommendation_ids(app)

    staff.get(f"/staff/c/{SLUG}/recommendations")
    staff.submit(button=("action", "down"), action_contains=f"/{first}/change")
    assert recommendation_ids(app) == [second, first, third]
    staff.submit(button=("action", "up"), action_contains=f"/{third}/change")
    assert recommendation_ids(app) == [second, third, first]

    press(staff, SLUG, "open")
    answered = answer_in(app, "en")  # answers the idea at position 1: `second`
    code = answered.page.soup.find(class_="receipt-code").get_text(strip=True)
    staff.get(f"/staff/c/{SLUG}/recommendations")
    # An answered recommendation offers no delete; a forged delete is refused.
    response = staff.client.post(
        f"/staff/c/{SLUG}/recommendations/{second}/change",
        data={"action": "delete", "csrf_token": staff.page.field_value("csrf_token")},
    )
    assert response.status_code == 409
    assert "cannot be deleted" in response.get_data(as_text=True)
    staff.submit(button=("action", "hide"), action_contains=f"/{second}/change")
    assert recommendation_ids(app) == [third, first]
    # The participant still finds their answer to it with their receipt code.
    lookup = Browser(app.test_client())
    lookup.get("/en/r/")
    receipt = lookup.submit({"code": code})
    assert "Idea 2 in English" in receipt.soup.find(class_="review-list").get_text()

    participant = Browser(app.test_client())
    participant.get(f"/en/c/{SLUG}/")
    assert "There are 2 ideas to answer." in participant.page.text
    page = participant.submit({"agree": "y"}, action_contains=f"/c/{SLUG}/")
    assert "Idea 3 in English" in page.text and "1 of 2" in page.text

    staff.get(f"/staff/c/{SLUG}/recommendations")
    staff.submit(button=("action", "delete"), action_contains=f"/{first}/change")
    assert recommendation_ids(app) == [third]
    staff.submit(button=("action", "show"), action_contains=f"/{second}/change")
    assert recommendation_ids(app) == [third, second]
    actions = [e.action for e in audit_events(app, "recommendation.deleted")]
    assert actions == ["recommendation.deleted"]
    assert [e.old_state["position"] for e in audit_events(app, "recommendation.hidden")] == [1]


def test_the_list_shows_every_consultation_with_its_counts(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    create(staff, slug="schools-2027", title="Schools")
    page = staff.get("/staff/c/")
    rows = page.soup.find("tbody").find_all("tr")
    assert [r.find("small").get_text() for r in rows] == ["schools-2027", SLUG]
    assert page.soup.find("a", href=f"/staff/c/{SLUG}/") is not None  # the dashboard
    assert all(r.find_all("td")[-1].get_text(strip=True) == "0" for r in rows)


def test_opening_twice_at_once_opens_and_records_it_once(app: Flask, app_factory) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    other = app_factory()
    with app.app_context():
        actor = db.session.scalar(sa.select(StaffUser))
        mine = consultation_row()
        lifecycle.opening_problems(mine)  # both pages saw a draft ready to open
        with other.app_context():
            theirs = consultation_row()
            lifecycle.open_consultation(db.session.get(StaffUser, actor.id), theirs)
            db.session.commit()
        try:
            lifecycle.open_consultation(actor, mine)
        except lifecycle.NotReady as refused:
            db.session.rollback()
            assert [str(p) for p in refused.problems] == [
                "Someone else changed the status meanwhile."
            ]
        else:
            raise AssertionError("opened twice")
    assert status(app) == "open"
    assert len(audit_events(app, "consultation.status_changed")) == 1
