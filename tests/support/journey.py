"""Steps of the participant journey, shared by the tests that walk it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Submission
from tests.support.browser import Browser, Page

SLUG = "leave-no-migrant-behind"


def start(browser: Browser, lang: str = "en") -> Page:
    browser.get(f"/{lang}/c/{SLUG}/")
    page = browser.submit({"agree": "y"})
    assert page.status == 200, page.text
    return page


def answer(browser: Browser, stance: str | None, text: str = "", button: str = "next") -> Page:
    return browser.submit({"stance": stance, "text": text}, button=("action", button))


def submissions(app: Flask) -> list[Submission]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Submission)).all()
        for row in rows:
            _ = row.responses, row.groups  # load before the session closes
        db.session.expunge_all()
        return list(rows)
