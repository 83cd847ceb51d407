"""Staff accounts: creation, log-in, lock-out, second factor, sessions that end on the server."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import StaffSession, StaffUser
from consult.staff.accounts import passwords
from tests.support.browser import Browser
from tests.support.factories import PASSWORD, staff_member
from tests.support.staff import audit_actions, log_in, staff_user


def test_create_staff_command_takes_the_password_from_the_environment(
    app: Flask, monkeypatch
) -> None:
    monkeypatch.setenv("CONSULT_STAFF_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=["create-staff", "Admin@Example.org", "--role", "admin", "--role", "moderator"]
    )
    assert result.exit_code == 0, result.output
    user = staff_user(app, "admin@example.org")
    assert user.roles == ["admin", "moderator"]
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert audit_actions(app) == ["staff.created"]


def test_create_staff_command_prompts_and_refuses_weak_passwords(app: Flask, monkeypatch) -> None:
    monkeypatch.delenv("CONSULT_STAFF_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-staff", "a@example.org", "--role", "admin"], input="short\nshort\n"
    )
    assert result.exit_code != 0 and "12 characters" in result.output
    result = runner.invoke(
        args=["create-staff", "a@example.org", "--role", "admin"],
        input="password1234\npassword1234\n",
    )
    assert result.exit_code != 0 and "too common" in result.output
    result = runner.invoke(
        args=["create-staff", "a@example.org", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("iloveyou1234", "too common"),
        ("Password123!", "too common"),
        ("amina.k-secret-words", "e-mail address"),
    ],
)
def test_password_policy(app: Flask, password: str, problem: str) -> None:
    with app.test_request_context():
        problems = [str(p) for p in passwords.password_problems(password, "amina.k@example.org")]
    assert any(problem in p for p in problems), problems


def test_log_in_and_out_and_the_old_cookie_no_longer_works(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    browser = log_in(app, "mod@example.org")
    assert browser.get("/staff/moderate/").status == 200
    captured = browser.client.get_cookie("consult")
    assert captured is not None

    browser.get("/staff/")
    page = browser.submit(action_contains="/logout")
    assert page.url == "/staff/login" and "You have logged out" in page.text

    thief = Browser(app.test_client())
    thief.client.set_cookie("consult", captured.value)
    page = thief.get("/staff/moderate/")
    assert page.url == "/staff/login"
    assert audit_actions(app) == ["staff.created", "staff.login", "staff.logout"]


def test_a_new_session_identifier_at_log_in(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    first = log_in(app, "mod@example.org")
    second = log_in(app, "mod@example.org")
    with app.app_context():
        tokens = db.session.scalars(sa.select(StaffSession.token_hash)).all()
    assert len(set(tokens)) == 2
    assert first.get("/staff/").status == 200 and second.get("/staff/").status == 200


def test_wrong_password_is_refused_and_audited(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    page = browser.submit({"email": "mod@example.org", "password": "wrong password here"})
    assert page.status == 401
    assert "not right" in page.text
    assert page.field_value("email") == "mod@example.org"
    assert audit_actions(app)[-1] == "staff.login_failed"


def test_repeated_failures_lock_the_account_without_telling_a_stranger(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    browser = Browser(app.test_client())
    for _ in range(5):
        browser.get("/staff/login")
        page = browser.submit({"email": "mod@example.org", "password": "not the password!"})
    assert page.status == 401
    assert "locked for 15 minutes" in page.text and "locked until" not in page.text
    browser.get("/staff/login")
    page = browser.submit({"email": "mod@example.org", "password": PASSWORD})
    assert page.status == 401, "the right password does not open a locked account"
    assert "not right" in page.text, "nor does it say so: that would confirm the password"
    assert "staff.locked" in audit_actions(app)
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser))
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert log_in(app, "mod@example.org").page.status == 200


def test_log_in_is_rate_limited(app: Flask) -> None:
    browser = Browser(app.test_client())
    statuses = []
    for n in range(11):
        browser.get("/staff/login")
        statuses.append(
            browser.submit({"email": f"nobody{n}@example.org", "password": "x" * 12}).status
        )
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_second_factor_enrolment_login_and_recovery_code(app: Flask) -> None:
    staff_member(app, "org@example.org", "organiser")
    browser = log_in(app, "org@example.org")
    page = browser.get("/staff/account/second-factor")
    assert page.soup.find("svg") is not None  # the QR code, drawn on the server
    secret = page.soup.select_one("code.code-input").get_text(strip=True)
    page = browser.submit({"password": PASSWORD, "code": "000000"})
    assert page.status == 422
    page = browser.submit({"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    codes = [c.get_text() for c in page.soup.select(".recovery-codes code")]
    assert len(codes) == 10

    later = Browser(app.test_client())
    later.get("/staff/login")
    page = later.submit({"email": "org@example.org", "password": PASSWORD})
    assert page.url == "/staff/login/code"
    page = later.submit({"code": pyotp.TOTP(secret).now()})  # the same code again: refused
    assert page.status == 401
    page = later.submit({"code": codes[0].lower()})
    assert page.url == "/staff/"
    again = Browser(app.test_client())
    again.get("/staff/login")
    again.submit({"email": "org@example.org", "password": PASSWORD})
    assert again.submit({"code": codes[0]}).status == 401  # a recovery code works once
    actions = audit_actions(app)
    assert "staff.2fa_enabled" in actions and "staff.recovery_code_used" in actions


def test_admin_can_require_a_second_factor(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator", totp_required=True)
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    page = browser.submit({"email": "mod@example.org", "password": PASSWORD})
    assert page.url == "/staff/account/second-factor"
    page = browser.get("/staff/moderate/")
    assert page.url == "/staff/account/second-factor"
    assert "requires a second factor" in page.text


def test_idle_timeout_and_absolute_lifetime_end_the_session(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    browser = log_in(app, "mod@example.org")
    with app.app_context():
        record = db.session.scalar(sa.select(StaffSession))
        record.last_seen_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    assert browser.get("/staff/moderate/").url == "/staff/login"
    browser = log_in(app, "mod@example.org")
    with app.app_context():
        record = db.session.scalar(sa.select(StaffSession).where(StaffSession.ended_at.is_(None)))
        record.created_at = utcnow() - timedelta(hours=13)
        db.session.commit()
    assert browser.get("/staff/moderate/").url == "/staff/login"
    with app.app_context():
        reasons = sorted(db.session.scalars(sa.select(StaffSession.end_reason)).all())
    assert reasons == ["expired", "idle"]


def test_deactivation_ends_sessions_on_the_server(app: Flask) -> None:
    staff_member(app, "admin@example.org", "admin")
    mod_id = staff_member(app, "mod@example.org", "moderator")
    moderator = log_in(app, "mod@example.org")
    admin = log_in(app, "admin@example.org")
    admin.get("/staff/admin/staff")
    page = admin.submit(
        {f"u{mod_id}-roles": ["moderator"], f"u{mod_id}-active": None},
        action_contains=f"/admin/staff/{mod_id}",
    )
    assert "Saved" in page.text
    assert moderator.get("/staff/moderate/").url == "/staff/login"
    browser = Browser(app.test_client())
    browser.get("/staff/login")
    assert browser.submit({"email": "mod@example.org", "password": PASSWORD}).status == 401
    assert "staff.deactivated" in audit_actions(app)


def test_password_change_ends_other_sessions(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    phone = log_in(app, "mod@example.org")
    laptop = log_in(app, "mod@example.org")
    laptop.get("/staff/account")
    new_password = "a new and long passphrase"
    page = laptop.submit(
        {"current_password": PASSWORD, "new_password": new_password},
        action_contains="/account/password",
    )
    assert "Your password is changed" in page.text
    assert laptop.get("/staff/moderate/").status == 200
    assert phone.get("/staff/moderate/").url == "/staff/login"
    log_in(app, "mod@example.org", new_password)


def test_invitation_sets_a_password(app: Flask) -> None:
    staff_member(app, "admin@example.org", "admin")
    admin = log_in(app, "admin@example.org")
    admin.get("/staff/admin/staff")
    page = admin.submit(
        {"email": "new@example.org", "roles": ["translator"]}, action_contains="/admin/staff"
    )
    link = page.soup.select_one(".invitation-url").get_text()
    path = link.split("localhost", 1)[1]
    invited = Browser(app.test_client())
    invited.get(path)
    assert invited.submit({"new_password": "short"}).status == 422
    page = invited.submit({"new_password": "four unrelated words here"})
    assert page.url == "/staff/login"
    assert invited.get(path).status == 404  # used once
    log_in(app, "new@example.org", "four unrelated words here")
    assert {"staff.invited", "staff.invitation_accepted"} <= set(audit_actions(app))


def test_admin_changes_roles_and_cannot_lock_themselves_out(app: Flask) -> None:
    admin_id = staff_member(app, "admin@example.org", "admin")
    other = staff_member(app, "t@example.org", "translator")
    admin = log_in(app, "admin@example.org")
    admin.get("/staff/admin/staff")
    admin.submit(
        {f"u{other}-roles": ["translator", "moderator"]}, action_contains=f"/admin/staff/{other}"
    )
    assert staff_user(app, "t@example.org").roles == ["moderator", "translator"]
    page = admin.submit(
        {f"u{admin_id}-roles": ["moderator"]}, action_contains=f"/admin/staff/{admin_id}"
    )
    assert "cannot remove your own admin role" in page.text
    assert staff_user(app, "admin@example.org").roles == ["admin"]
    assert audit_actions(app).count("staff.roles_changed") == 1


def test_staff_pages_use_the_staff_members_language(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    browser = log_in(app, "mod@example.org")
    browser.get("/staff/account")
    browser.submit({"language": "ps"}, action_contains="/account/language")
    page = browser.get("/staff/moderate/")
    assert page.soup.find("html")["lang"] == "ps"
    assert page.soup.find("html")["dir"] == "rtl"


def test_cookies_are_secure_with_the_host_prefix_outside_debug(app_factory) -> None:
    app = app_factory(
        TESTING=False, CONSULT_SECURE_COOKIES=None, CONSULT_EXTERNAL_URL="https://localhost"
    )
    client = app.test_client()
    response = client.get("/staff/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-consult=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie
