"""The consultations list reads a fixed number of statements however many consultations, answers
and answers waiting for moderation there are; its counts stop at a bound."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.authoring import operations, queries
from consult.core.extensions import db
from consult.models import StaffUser
from tests.authoring.support import ORGANISER, create, organiser, press, ready_to_open
from tests.authoring.test_journey import answer_in
from tests.participation.test_page_cost import counted_statements


def add_drafts(app: Flask, how_many: int, start: int) -> None:
    with app.app_context():
        actor = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == ORGANISER))
        for number in range(start, start + how_many):
            settings = operations.Settings("en", ["en"], ["en"], None, None, 730, 5)
            operations.create_consultation(
                actor, f"extra-{number}", f"Extra {number}", settings, ["en"]
            )
        db.session.commit()


def test_the_list_costs_the_same_for_2_and_12_consultations(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, "housing-2027", "open")
    answer_in(app, "en", text="Something to moderate")
    add_drafts(app, 1, 1)
    with counted_statements(app) as few:
        page = staff.get("/staff/c/")
    assert len(page.soup.find("tbody").find_all("tr")) == 2
    add_drafts(app, 10, 2)
    with counted_statements(app) as many:
        page = staff.get("/staff/c/")
    assert len(page.soup.find("tbody").find_all("tr")) == 12
    assert len(many) == len(few)
    row = page.soup.find("small", string="housing-2027").find_parent("tr")
    assert [td.get_text(strip=True) for td in row.find_all("td")][-2:] == ["1", "1"]


def test_counts_stop_at_the_bound(app: Flask, monkeypatch) -> None:
    staff = organiser(app)
    create(staff)
    ready_to_open(staff, recommendations=1)
    press(staff, "housing-2027", "open")
    for _ in range(3):
        answer_in(app, "en", text="Something")
    monkeypatch.setattr(queries, "COUNT_BOUND", 2)
    page = staff.get("/staff/c/")
    row = page.soup.find("small", string="housing-2027").find_parent("tr")
    assert [td.get_text(strip=True) for td in row.find_all("td")][-2:] == ["2+", "2+"]
