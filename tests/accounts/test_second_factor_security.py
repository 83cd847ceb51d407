"""Security audit, issue 8: one-time codes used once even when sent in parallel (item 1); the second
factor cannot be turned off or replaced from a stolen session, wrong codes count towards the
lock-out, and odd input is refused cleanly (item 7); failed enrolments are audited (item 14).
"""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import AuditEvent, StaffUser
from consult.staff.accounts import second_factor
from tests.support.browser import Browser, Page
from tests.support.parallel import at_once
from tests.support.staff import PASSWORD, log_in, make_staff, staff_user

EMAIL = "org@example.org"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _wrong_code(secret: str) -> str:
    """Six digits that are not a code of the secret anywhere near now."""
    totp = pyotp.TOTP(secret)
    near = {totp.at(time.time() + 30 * steps) for steps in range(-3, 4)}
    return next(code for code in (str(d) * 6 for d in range(10)) if code not in near)


def _enrol(browser: Browser) -> tuple[str, list[str]]:
    """Turn on the second factor through the page, as its owner: the key and the recovery codes."""
    page = browser.get("/staff/account/second-factor")
    key = page.soup.select_one("code.code-input").get_text(strip=True)
    page = browser.submit({"password": PASSWORD, "code": pyotp.TOTP(key).now()})
    codes = [c.get_text() for c in page.soup.select(".recovery-codes code")]
    assert len(codes) == 10, page.text
    return key, codes


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return events


def _second_step(app: Flask) -> Browser:
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    page = browser.submit({"email": EMAIL, "password": PASSWORD})
    assert page.url == "/staff/login/code", page.text
    return browser


# --- item 1: a code is used once, however many requests carry it --------------------------------


def test_one_recovery_code_sent_six_times_at_once_works_once(app: Flask) -> None:
    user_id = make_staff(app, EMAIL, "organiser")
    _key, codes = _enrol(log_in(app, EMAIL))

    def load(_: int) -> StaffUser:
        return db.session.get(StaffUser, user_id)

    outcomes = at_once(app, 6, lambda user: second_factor.check(user, codes[0]), load)

    assert outcomes.count("recovery_code") == 1, outcomes
    assert [e.action for e in _events(app)].count("staff.recovery_code_used") == 1


def test_one_totp_code_sent_three_times_at_once_works_once(app: Flask) -> None:
    user_id = make_staff(app, EMAIL, "organiser", totp_secret=SECRET, totp_enabled=True)
    code = pyotp.TOTP(SECRET).now()

    def load(_: int) -> StaffUser:
        return db.session.get(StaffUser, user_id)

    outcomes = at_once(app, 3, lambda user: second_factor.check(user, code), load)

    assert outcomes.count("totp") == 1, outcomes


# --- item 7: a stolen session cannot change the second factor ------------------------------------


def _turn_off(browser: Browser, fields: dict[str, str]) -> Page:
    browser.get("/staff/account")
    return browser.submit(fields, action_contains="/second-factor/off")


def test_turning_the_second_factor_off_needs_the_password_and_a_code(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser")
    browser = log_in(app, EMAIL)  # someone else holding this session could do the same
    _key, codes = _enrol(browser)

    assert _turn_off(browser, {}).status == 422
    guess = {"password": "a guess at the password", "code": codes[0]}
    assert _turn_off(browser, guess).status == 422
    assert _turn_off(browser, {"password": PASSWORD, "code": _wrong_code(_key)}).status == 422
    assert staff_user(app, EMAIL).totp_enabled, "still on after three refused attempts"

    page = _turn_off(browser, {"password": PASSWORD, "code": codes[1]})
    assert "The second factor is turned off." in page.text
    assert not staff_user(app, EMAIL).totp_enabled
    actions = [e.action for e in _events(app)]
    assert actions.count("staff.2fa_disable_failed") == 2 and "staff.2fa_disabled" in actions


def test_the_server_makes_the_secret_and_enrolment_needs_the_password(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser")
    browser = log_in(app, EMAIL)
    browser.get("/staff/account/second-factor")
    theirs = pyotp.random_base32()

    page = browser.submit({"secret": theirs, "code": pyotp.TOTP(theirs).now()})
    assert page.status == 422
    page = browser.submit(
        {"secret": theirs, "password": PASSWORD, "code": pyotp.TOTP(theirs).now()}
    )
    assert page.status == 422
    user = staff_user(app, EMAIL)
    assert not user.totp_enabled and user.totp_secret != theirs

    key = page.soup.select_one("code.code-input").get_text(strip=True)
    page = browser.submit({"password": PASSWORD, "code": pyotp.TOTP(key).now()})
    assert page.soup.select(".recovery-codes code")
    assert staff_user(app, EMAIL).totp_secret == key


def test_a_failed_enrolment_is_audited_without_codes_or_secrets(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser")
    browser = log_in(app, EMAIL)
    page = browser.get("/staff/account/second-factor")
    key = page.soup.select_one("code.code-input").get_text(strip=True)
    wrong = _wrong_code(key)
    browser.submit({"password": PASSWORD, "code": wrong})
    browser.submit({"password": "not my password at all", "code": pyotp.TOTP(key).now()})

    failed = [e for e in _events(app) if e.action == "staff.2fa_enrol_failed"]
    assert [e.new_state for e in failed] == [{"reason": "wrong_code"}, {"reason": "wrong_password"}]
    logged = repr([(e.old_state, e.new_state, e.actor_label) for e in _events(app)])
    for secret in (wrong, key, pyotp.TOTP(key).now(), "not my password"):
        assert secret not in logged


def test_wrong_second_factor_codes_count_towards_the_lock_out(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser", totp_secret=SECRET, totp_enabled=True)
    browser = _second_step(app)
    wrong = _wrong_code(SECRET)
    for _ in range(5):
        page = browser.submit({"code": wrong})
    assert page.status == 429 and "locked until" in page.text
    user = staff_user(app, EMAIL)
    assert user.locked_until is not None and user.locked_until > utcnow()

    page = browser.submit({"code": pyotp.TOTP(SECRET).now()})
    assert page.url != "/staff/", "the right code does not open a locked account"
    again = Browser(app.test_client())
    again.get("/staff/login")
    assert again.submit({"email": EMAIL, "password": PASSWORD}).status == 401
    assert "staff.locked" in [e.action for e in _events(app)]


JUNK = [
    "١٢٣٤٥٦",  # Arabic-Indic digits
    "۱۲۳۴۵۶",  # Persian digits
    "１２３４５６",  # full-width digits
    "12345６",
    "²³⁴⁵⁶⁷",  # superscripts: digits to Python, not to pyotp
    "𝟏𝟐𝟑𝟒𝟓𝟔",
    "abcdef",
    "12 34 56",
    "-",
    "🙂🙂🙂🙂🙂🙂",
    "٠" * 32,
]


@pytest.mark.parametrize("code", JUNK)
def test_odd_codes_at_log_in_are_refused_cleanly(app: Flask, code: str) -> None:
    make_staff(app, EMAIL, "organiser", totp_secret=SECRET, totp_enabled=True)
    page = _second_step(app).submit({"code": code})
    assert page.status == 401 and "This code is not right" in page.text


@pytest.mark.parametrize("code", JUNK)
def test_odd_codes_at_enrolment_are_refused_cleanly(app: Flask, code: str) -> None:
    make_staff(app, EMAIL, "organiser")
    browser = log_in(app, EMAIL)
    browser.get("/staff/account/second-factor")
    page = browser.submit({"password": PASSWORD, "code": code})
    assert page.status == 422 and "This code is not right" in page.text
    assert not staff_user(app, EMAIL).totp_enabled


def test_a_secret_sent_by_the_browser_is_ignored_however_short(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser")
    browser = log_in(app, EMAIL)
    browser.get("/staff/account/second-factor")
    page = browser.submit({"secret": "A", "password": PASSWORD, "code": "123456"})
    assert page.status == 422


def test_a_code_typed_in_arabic_indic_digits_is_accepted(app: Flask) -> None:
    make_staff(app, EMAIL, "organiser", totp_secret=SECRET, totp_enabled=True)
    code = pyotp.TOTP(SECRET).now().translate(ARABIC_INDIC)
    page = _second_step(app).submit({"code": code})
    assert page.url == "/staff/"
