"""An organiser in a real browser: the consultations list, creating a consultation, its dashboard
and an export downloaded (issue 14, item 1), each page checked by axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import Consultation
from tests.browser.support import LiveServer, Tab
from tests.browser.test_staff import PLAIN_ANSWER, log_in, staff_checks
from tests.support.journey import SLUG
from tests.translation.desk_support import approved_answers

ALL_BACKENDS = True  # runs on PostgreSQL too (tests/browser/conftest.py)


def test_organiser_creates_a_consultation(
    tab: Tab, live_server: LiveServer, axe_script: Path
) -> None:
    log_in(tab, live_server.organiser)
    tab.goto("/staff/c/")
    staff_checks(tab, "staff-consultations", axe_script)
    tab.page.click("main a[href='/staff/c/new']")
    staff_checks(tab, "staff-consultation-new", axe_script)
    # Sent empty: the errors are announced and tied to their fields, and the page passes axe.
    tab.page.click("main form button[type=submit]")
    slug_box = tab.page.locator("main input[name=slug]")
    assert slug_box.get_attribute("aria-invalid") == "true"
    assert "slug-error" in (slug_box.get_attribute("aria-describedby") or "")
    staff_checks(tab, "staff-consultation-new-errors", axe_script)

    slug = f"browser-{live_server.backend}"
    slug_box.fill(slug)
    tab.page.fill("main input[name=title]", "Housing for families who arrive")
    tab.page.click("main form button[type=submit]")
    assert tab.path == f"/staff/c/{slug}/texts", tab.page.inner_text("main")
    staff_checks(tab, "staff-consultation-texts", axe_script)
    with live_server.app.app_context():
        created = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
        assert created is not None and created.status == "draft"
        db.session.remove()


def test_organiser_opens_the_dashboard_and_downloads_an_export(
    tab: Tab, live_server: LiveServer, axe_script: Path
) -> None:
    approved_answers(live_server.app, [PLAIN_ANSWER])  # exports hold approved answers only
    log_in(tab, live_server.organiser)
    tab.goto(f"/staff/c/{SLUG}/")
    assert tab.page.locator("main h1").count() == 1
    staff_checks(tab, "staff-dashboard", axe_script)

    tab.goto(f"/staff/c/{SLUG}/export")
    staff_checks(tab, "staff-export", axe_script)
    with tab.page.expect_download() as download:
        tab.page.click(f"main form[action='/staff/c/{SLUG}/export/answers.csv'] button")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert any(PLAIN_ANSWER in row for row in rows[1:]), rows[:3]
