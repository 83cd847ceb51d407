"""Helpers for tests of the staff side: log-in through the real form, the audit log, accounts.

Accounts and participants' answers are made by `tests.support.factories`.
"""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, StaffUser
from tests.support.browser import Browser
from tests.support.factories import PASSWORD, staff_member, submitted_answers

__all__ = ["PASSWORD", "audit_actions", "log_in", "make_staff", "staff_user", "submit_answers"]

# Earlier names of the factories, kept for the tests that use them.
make_staff = staff_member
submit_answers = submitted_answers


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


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def staff_user(app: Flask, email: str) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        db.session.expunge(user)
        return user
