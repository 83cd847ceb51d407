"""Steps of the participant journey, shared by the tests that walk it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

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


_CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def look_up_receipt(
    client: FlaskClient, code: str, lang: str = "en", headers: dict[str, str] | None = None
) -> int:
    """Type a receipt code into the look-up form (a POST: codes never travel in addresses) and
    return the status of the reply (200 found, 404 not found, 429 refused by a rate limit)."""
    form = client.get(f"/{lang}/r/", headers=headers or {}).get_data(as_text=True)
    token = _CSRF_TOKEN.search(form)
    assert token is not None, "no look-up form"
    data = {"csrf_token": token.group(1), "code": code}
    return client.post(f"/{lang}/r/", data=data, headers=headers or {}).status_code
