"""Preview: an organiser walks the whole participant journey of a draft or open consultation in
any language, under the banner, and not one row is added anywhere (no draft, submission, answer,
statistic or audit event)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext

from consult.core.extensions import db
from consult.models import Consultation
from tests.consultations.support import SLUG, organiser, row_counts

BANNER = "Preview — nothing is saved"


def _banner_in(app: Flask, lang: str) -> str:
    """The banner as the page shows it: in the previewed language, like the rest of the page."""
    with app.test_request_context(), force_locale(lang):
        return gettext(BANNER)


def _walk(browser, lang: str, banner: str) -> None:
    base = f"/staff/c/{SLUG}/preview/{lang}"
    page = browser.get(f"{base}/")
    assert page.status == 200 and banner in page.text
    assert page.soup.find("html")["lang"] == lang
    page = browser.submit({"agree": "y"})
    assert page.url == f"{base}/q/1" and banner in page.text
    page = browser.submit({"stance": "agree", "text": "A preview answer"})
    assert page.url == f"{base}/q/2"
    for _position in range(2, 9):
        page = browser.submit({"stance": "disagree"})
    assert page.url == f"{base}/about" and banner in page.text
    page = browser.submit({"stage": "transit"})
    assert page.url == f"{base}/review"
    assert "A preview answer" in page.text and banner in page.text
    # Every link and form of the participant pages stays inside the preview.
    for form in page.soup.find_all("form"):
        assert form["action"].startswith(f"/staff/c/{SLUG}/preview/"), form["action"]
    page = browser.submit({})
    assert page.url == f"{base}/thanks" and banner in page.text


@pytest.mark.parametrize("status", ["draft", "open"])
def test_a_full_preview_walk_saves_nothing(demo_app: Flask, status: str) -> None:
    with demo_app.app_context():
        db.session.scalar(sa.select(Consultation)).status = status
        db.session.commit()
    browser = organiser(demo_app)
    before = row_counts(demo_app)
    assert _banner_in(demo_app, "ar") != BANNER  # the Arabic walk checks the Arabic banner
    _walk(browser, "ar", _banner_in(demo_app, "ar"))
    _walk(browser, "en", BANNER)
    assert row_counts(demo_app) == before


def test_the_preview_is_right_to_left_in_arabic(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    page = browser.get(f"/staff/c/{SLUG}/preview/ar/")
    assert page.soup.find("html")["dir"] == "rtl"
    assert browser.get(f"/staff/c/{SLUG}/preview/xx/").status == 404
