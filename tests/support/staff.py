"""Helpers for tests of the staff side: accounts, log-in through the real form, answers."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Response, StaffUser
from consult.staff.accounts.operations import create_staff
from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start

PASSWORD = "correct horse battery staple"


def make_staff(app: Flask, email: str, *roles: str, **values: object) -> int:
    with app.app_context():
        user = create_staff(email, PASSWORD, list(roles))
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()
        return user.id


def log_in(
    app: Flask, email: str, password: str = PASSWORD, totp_secret: str | None = None
) -> Browser:
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    page = browser.submit({"email": email, "password": password})
    if totp_secret:
        assert page.url == "/staff/login/code", page.text
        page = browser.submit({"code": pyotp.TOTP(totp_secret).now()})
    assert page.url == "/staff/", page.text
    return browser


def submit_answers(app: Flask, texts: list[str], lang: str = "en") -> list[int]:
    """A participant answers the first ideas with these texts; returns the response ids."""
    participant = Browser(app.test_client())
    start(participant, lang)
    for text in texts:
        answer(participant, "agree", text)
    participant.get(f"/{lang}/c/{SLUG}/review")
    page: Page = participant.submit()
    assert page.url.endswith("/thanks"), page.text
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Response).where(Response.text.is_not(None)).order_by(Response.id.desc())
        ).all()
        return sorted(r.id for r in rows[: len(texts)])


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def staff_user(app: Flask, email: str) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        db.session.expunge(user)
        return user
