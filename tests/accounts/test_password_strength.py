"""Security audit, issue 8, item 10: passwords are judged by a strength estimator after the
normalisation they are stored under, and what the person types later matches what they chose."""

from __future__ import annotations

import unicodedata

import pytest
from flask import Flask

from consult.core.extensions import db
from consult.models import StaffUser
from consult.staff.accounts import operations as accounts
from consult.staff.accounts import passwords
from tests.support.browser import Browser
from tests.support.staff import PASSWORD, log_in, make_staff, staff_user

EMAIL = "amina.k@example.org"

# The audit's passwords, each accepted before.
AUDIT_PASSWORDS = [
    " " * 12,
    "aaaaaaaaaaaa",
    "!!!!!!!!!!!!",
    "123456789012",
    "qwertyuiopas",
    "abcabcabcabc",
    "\u200b" * 12,
]


def _problems(app: Flask, password: str, email: str = EMAIL) -> list[str]:
    with app.test_request_context():
        return [str(p) for p in passwords.password_problems(password, email)]


@pytest.mark.parametrize("password", AUDIT_PASSWORDS)
def test_the_audits_weak_passwords_are_refused(app: Flask, password: str) -> None:
    assert _problems(app, password)


def test_a_weak_password_is_refused_on_the_invitation_page_with_a_reason(app: Flask) -> None:
    admin = make_staff(app, "admin@example.org", "admin")
    with app.app_context():
        _user, token = accounts.invite(EMAIL, ["translator"], db.session.get(StaffUser, admin))
        db.session.commit()
    browser = Browser(app.test_client())
    browser.get(f"/staff/invitation/{token}")
    page = browser.submit({"new_password": "qwertyuiopas"})
    assert page.status == 422 and "too easy to guess" in page.text
    page = browser.submit({"new_password": "\u200b" * 12})
    assert page.status == 422 and "at least 12 characters" in page.text


@pytest.mark.parametrize(
    "password", [PASSWORD, "river lantern quietly mango", "Tamarind-harbour-1987-kite"]
)
def test_a_good_passphrase_is_accepted(app: Flask, password: str) -> None:
    assert _problems(app, password) == []


def test_the_rules_apply_after_normalisation(app: Flask) -> None:
    # Twelve characters only with invisible ones; a common password in full-width letters.
    assert any("at least 12" in p for p in _problems(app, "short\u200b\u200c\u200d\u2060words"))
    assert any("too common" in p for p in _problems(app, "ｐａｓｓｗｏｒｄ１２３４"))


def test_the_e_mail_address_counts_as_easy_to_guess(app: Flask) -> None:
    problems = _problems(app, "amina.k-secret-words")
    assert any("e-mail address" in p for p in problems)


@pytest.mark.parametrize(
    ("chosen", "typed"),
    [
        ("correct\u00a0horse battery staple", PASSWORD),  # a no-break space
        ("correct horse battery\u200b staple", PASSWORD),  # a zero-width space
        (PASSWORD, "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ ｓｔａｐｌｅ"),  # full-width letters
        ("café au lait sur la plage", unicodedata.normalize("NFD", "café au lait sur la plage")),
    ],
)
def test_what_the_person_types_matches_what_they_chose(app: Flask, chosen: str, typed: str) -> None:
    with app.app_context():
        accounts.create_staff(EMAIL, chosen, ["moderator"])
        db.session.commit()
        assert accounts.authenticate(EMAIL, typed).ok
        db.session.commit()


def test_a_password_hashed_before_normalisation_still_works_and_is_rehashed(app: Flask) -> None:
    chosen = "correct\u00a0horse battery staple"
    make_staff(app, EMAIL, "moderator")
    with app.app_context():
        user = accounts.find_by_email(EMAIL)
        user.password_hash = passwords._hasher.hash(chosen)  # as stored before the change
        db.session.commit()
    log_in(app, EMAIL, chosen)
    renewed = staff_user(app, EMAIL).password_hash
    assert passwords.verify_password(renewed, PASSWORD), "now stored in the normalised form"
