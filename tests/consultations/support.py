"""Helpers for the content pages' tests: an organiser's browser, uploads through the real forms,
row counts of every table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from tests.support.browser import Browser, Page
from tests.support.factories import staff_member
from tests.support.staff import log_in

SLUG = "leave-no-migrant-behind"
ORGANISER = "organiser@example.org"


def organiser(app: Flask, email: str = ORGANISER) -> Browser:
    staff_member(app, email, "organiser")
    return log_in(app, email)


def upload(browser: Browser, url: str, filename: str, content: bytes) -> Page:
    """Open the form at `url`, then send `content` as its file, with the page's security token."""
    page = browser.get(url)
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    # The body is built here, in memory: the test client would put a large one in a temporary
    # file that it never closes.
    boundary = "consult-test-boundary-7f3a9c"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = browser.client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        follow_redirects=True,
    )
    browser.page = Page(response.request.path, response)
    return browser.page


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
