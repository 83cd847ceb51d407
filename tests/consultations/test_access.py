"""Only organisers and admins reach the content pages: participants are sent to log in; moderators
and translators are refused."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.consultations.support import SLUG
from tests.support.factories import staff_member
from tests.support.staff import log_in

PAGES = [
    f"/staff/c/{SLUG}/languages",
    f"/staff/c/{SLUG}/languages/ar/texts",
    f"/staff/c/{SLUG}/languages/ar/r/legal-assistance",
    f"/staff/c/{SLUG}/languages/import",
    f"/staff/c/{SLUG}/preview/en/",
    f"/staff/c/{SLUG}/preview/en/q/1",
    f"/staff/c/{SLUG}/preview/en/about",
    f"/staff/c/{SLUG}/preview/en/review",
    f"/staff/c/{SLUG}/preview/en/thanks",
    f"/staff/c/{SLUG}/preview/end",
    f"/staff/c/{SLUG}/languages/en/texts",
    f"/staff/c/{SLUG}/languages/en/r/legal-assistance",
    f"/staff/c/{SLUG}/export.yaml",
    f"/staff/c/{SLUG}/export.json",
    "/staff/c/import",
]


@pytest.mark.parametrize("role", ["moderator", "translator"])
def test_other_staff_are_refused(demo_app: Flask, role: str) -> None:
    staff_member(demo_app, f"{role}@example.org", role)
    browser = log_in(demo_app, f"{role}@example.org")
    for url in PAGES:
        assert browser.client.get(url).status_code == 403, url


def test_participants_are_sent_to_log_in(demo_app: Flask) -> None:
    client = demo_app.test_client()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_admins_get_in(demo_app: Flask) -> None:
    staff_member(demo_app, "admin@example.org", "admin")
    browser = log_in(demo_app, "admin@example.org")
    for url in PAGES:
        response = browser.client.get(url)
        assert response.status_code == 200, url
        if not url.endswith((".yaml", ".json")):  # every page names itself
            title = response.get_data(as_text=True).split("<title>")[1].split("</title>")[0]
            assert title.split(" · ")[0].strip(), url
