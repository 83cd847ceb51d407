"""Only organisers and admins reach the authoring pages."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.authoring.support import SLUG, create, organiser
from tests.support.browser import Browser
from tests.support.staff import log_in, make_staff

PAGES = [
    "/staff/c/",
    "/staff/c/new",
    f"/staff/c/{SLUG}/settings",
    f"/staff/c/{SLUG}/texts",
    f"/staff/c/{SLUG}/recommendations",
    f"/staff/c/{SLUG}/status",
]


@pytest.mark.parametrize("role", ["moderator", "translator"])
def test_moderators_and_translators_cannot_reach_the_editor(app: Flask, role: str) -> None:
    create(organiser(app))
    make_staff(app, f"{role}@example.org", role)
    browser = log_in(app, f"{role}@example.org")
    for url in PAGES:
        assert browser.get(url).status == 403, url
    response = browser.client.post("/staff/c/new", data={"slug": "sneaky"})
    assert response.status_code in (400, 403)
    assert "Consultations" not in browser.get("/staff/").soup.find("nav").get_text()


def test_participants_are_sent_to_the_log_in_page(app: Flask) -> None:
    create(organiser(app))
    participant = Browser(app.test_client())
    for url in PAGES:
        page = participant.get(url, follow=False)
        assert page.status == 302 and page.response.location.endswith("/staff/login"), url


def test_admins_and_organisers_can(app: Flask) -> None:
    staff = organiser(app)
    create(staff)
    admin = organiser(app, "admin@example.org", role="admin")
    for browser in (staff, admin):
        for url in PAGES:
            assert browser.get(url).status == 200, url
        assert browser.get("/staff/").soup.find("a", string="Consultations") is not None
