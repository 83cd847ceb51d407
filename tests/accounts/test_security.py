"""Security audit, issue 8: the lock-out under parallel guesses (item 1) and what the log-in page
gives away about which e-mail addresses have accounts (item 6).

Races run in threads released together by a barrier, each with its own connection, on SQLite and on
PostgreSQL. Nothing is timed: the tests count Argon2 verifications instead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import AuditEvent, StaffUser
from consult.staff.accounts import operations as accounts
from tests.support.browser import Browser, Page
from tests.support.hashing import CountingHasher, count_verifications
from tests.support.parallel import at_once
from tests.support.staff import PASSWORD, make_staff

EMAIL = "mod@example.org"
MAX_FAILURES = 5


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    return count_verifications(monkeypatch)


def _user(app: Flask, email: str = EMAIL) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        db.session.expunge(user)
        return user


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# --- item 1: the lock-out holds against parallel guesses ----------------------------------------


def test_twenty_parallel_wrong_passwords_lock_the_account_after_five_checks(
    app: Flask, hasher: CountingHasher
) -> None:
    make_staff(app, EMAIL, "moderator")
    stored = _user(app).password_hash
    hasher.forget()

    outcomes = at_once(
        app, 20, lambda i: accounts.authenticate(EMAIL, f"wrong guess number {i}").ok
    )

    assert outcomes == [False] * 20, outcomes
    checks = hasher.verified.count(stored)
    assert 1 <= checks <= MAX_FAILURES, f"{checks} guesses were checked against the real hash"
    user = _user(app)
    assert user.locked_until is not None and user.locked_until > utcnow()
    actions = _actions(app)
    assert actions.count("staff.login_failed") == checks
    assert actions.count("staff.locked") == 1
    assert actions.count("staff.login_refused_locked") == 20 - checks


def test_parallel_guesses_after_the_lock_are_refused_without_a_check(
    app: Flask, hasher: CountingHasher
) -> None:
    make_staff(app, EMAIL, "moderator")
    stored = _user(app).password_hash
    for n in range(MAX_FAILURES):
        with app.app_context():
            accounts.authenticate(EMAIL, f"wrong guess number {n}")
            db.session.commit()
    hasher.forget()

    outcomes = at_once(app, 10, lambda i: accounts.authenticate(EMAIL, PASSWORD).ok)

    assert outcomes == [False] * 10, "not even the right password opens a locked account"
    assert hasher.verified.count(stored) == 0


def test_a_right_password_in_the_rush_does_not_add_checks(
    app: Flask, hasher: CountingHasher
) -> None:
    """The person's own log-in among the guesses: still no more than five checks before the lock,
    plus the right one (which restarts the count)."""
    make_staff(app, EMAIL, "moderator")
    stored = _user(app).password_hash
    hasher.forget()
    guesses = [PASSWORD if i == 0 else f"wrong guess number {i}" for i in range(12)]

    outcomes = at_once(app, 12, lambda i: accounts.authenticate(EMAIL, guesses[i]).ok)

    assert outcomes.count(True) <= 1 and not any(outcomes[1:])
    assert hasher.verified.count(stored) <= 2 * MAX_FAILURES


# --- item 6: unknown, deactivated, locked and wrong look the same --------------------------------


def _prepare(app: Flask, case: str) -> str:
    """An e-mail address for this case of the log-in."""
    if case == "unknown":
        return "nobody@example.org"
    email = f"{case}@example.org"
    values: dict[str, object] = {
        "deactivated": {"active": False},
        "locked": {"locked_until": utcnow() + timedelta(minutes=10)},
        "invited": {"password_hash": None},
    }.get(case, {})
    make_staff(app, email, "moderator", **values)
    return email


CASES = ["unknown", "deactivated", "locked", "invited", "wrong", "right"]


@pytest.mark.parametrize("case", CASES)
def test_every_log_in_path_runs_exactly_one_password_verification(
    app: Flask, hasher: CountingHasher, case: str
) -> None:
    email = _prepare(app, case)
    hasher.forget()
    with app.app_context():
        result = accounts.authenticate(email, PASSWORD if case == "right" else "a wrong password")
        db.session.commit()
    assert result.ok is (case == "right")
    assert len(hasher.verified) == 1, hasher.verified


def _log_in_page(app: Flask, email: str, password: str) -> Page:
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    return browser.submit({"email": email, "password": password})


def test_the_log_in_page_answers_alike_for_unknown_deactivated_locked_and_wrong(
    app: Flask, hasher: CountingHasher
) -> None:
    answers = {}
    for case in ("unknown", "deactivated", "locked", "invited", "wrong"):
        email = _prepare(app, case)
        # The locked account is given its right password: even that must not tell it apart.
        password = PASSWORD if case == "locked" else "a wrong password"
        hasher.forget()
        page = _log_in_page(app, email, password)
        assert len(hasher.verified) == 1, (case, hasher.verified)
        answers[case] = (page.status, page.url, page.text.replace(email, "EMAIL"))
    assert answers["wrong"][0] == 401
    assert "The e-mail address or the password is not right." in answers["wrong"][2]
    for case, answer in answers.items():
        assert answer == answers["wrong"], case
