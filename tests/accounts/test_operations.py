"""The staff accounts' domain operations, called directly inside an app context (no request).

The log-in, account and admin pages that call them are tested in test_staff_auth.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import AuditEvent, StaffSession, StaffUser
from consult.staff.accounts import operations as accounts
from consult.staff.accounts import passwords, sessions
from tests.support.factories import PASSWORD

NOW = datetime(2026, 3, 2, 9, 30)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def _sessions(user: StaffUser) -> list[StaffSession]:
    return list(
        db.session.scalars(
            sa.select(StaffSession).where(StaffSession.user_id == user.id).order_by(StaffSession.id)
        )
    )


def _staff(email: str = "mod@example.org", *roles: str) -> StaffUser:
    user = accounts.create_staff(email, PASSWORD, list(roles or ("moderator",)))
    db.session.commit()
    return user


# --- passwords -----------------------------------------------------------------------------------


def test_production_hashes_use_argon2id_with_the_rfc_9106_defaults(
    ctx: Flask, cheap_password_hashing: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a real deployment writes (the other tests use cheap parameters, see conftest.py)."""
    monkeypatch.setattr(passwords, "_hasher", cheap_password_hashing)
    stored = accounts.create_staff("admin@example.org", PASSWORD, ["admin"]).password_hash
    assert extract_parameters(stored) == RFC_9106_LOW_MEMORY
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify_password(stored, PASSWORD)


def test_a_hash_with_other_parameters_is_renewed_at_log_in(ctx: Flask) -> None:
    user = _staff()
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    user.password_hash = older.hash(PASSWORD)
    db.session.commit()
    assert passwords.needs_rehash(user.password_hash)
    assert accounts.authenticate("mod@example.org", PASSWORD, now=NOW).ok
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, PASSWORD)


# --- creating accounts ---------------------------------------------------------------------------


def test_create_staff_normalises_the_address_orders_the_roles_and_audits(ctx: Flask) -> None:
    user = accounts.create_staff(" Amina.K@Example.ORG ", PASSWORD, ["translator", "admin"])
    db.session.commit()
    assert user.email == "amina.k@example.org"
    assert user.roles == ["admin", "translator"]
    assert accounts.find_by_email("AMINA.K@example.org ") is user
    [event] = _events()
    assert (event.action, event.object_id, event.new_state) == (
        "staff.created",
        user.id,
        {"roles": ["admin", "translator"]},
    )
    assert (event.actor_id, event.actor_label) == (None, "")  # made on the command line


@pytest.mark.parametrize(
    ("email", "password", "roles", "problem"),
    [
        ("mod@example.org", "short", ["moderator"], "12"),
        ("mod@example.org", "password1234", ["moderator"], "too common"),
        ("amina.k@example.org", "amina.k-secret-words", ["moderator"], "e-mail address"),
        ("MOD@example.org", PASSWORD, ["moderator"], "already has an account"),
        ("new@example.org", PASSWORD, ["moderator", "owner"], "unknown role.*: owner"),
    ],
)
def test_create_staff_refuses(
    ctx: Flask, email: str, password: str, roles: list[str], problem: str
) -> None:
    _staff("mod@example.org")
    with pytest.raises(accounts.AccountError, match=problem):
        accounts.create_staff(email, password, roles)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 1


# --- log-in and lock-out -------------------------------------------------------------------------


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(ctx: Flask) -> None:
    user = _staff()
    for attempt in range(1, 5):
        result = accounts.authenticate("mod@example.org", "not the password", now=NOW)
        assert not result.ok and result.locked_until is None
        assert user.failed_logins == attempt
    result = accounts.authenticate("mod@example.org", "not the password", now=NOW)
    assert result.locked_until == NOW + timedelta(minutes=15)
    assert (user.failed_logins, user.locked_until) == (0, NOW + timedelta(minutes=15))

    almost = NOW + timedelta(minutes=14, seconds=59)
    result = accounts.authenticate("mod@example.org", PASSWORD, now=almost)
    assert not result.ok and result.locked_until == NOW + timedelta(minutes=15)
    result = accounts.authenticate("mod@example.org", PASSWORD, now=NOW + timedelta(minutes=16))
    assert result.ok and result.user is user
    assert (user.failed_logins, user.locked_until) == (0, None)
    actions = [e.action for e in _events()]
    assert actions.count("staff.login_failed") == 5
    assert "staff.locked" in actions and "staff.login_refused_locked" in actions


def test_a_right_password_resets_the_failure_count(ctx: Flask) -> None:
    user = _staff()
    for _ in range(4):
        accounts.authenticate("mod@example.org", "not the password", now=NOW)
    assert accounts.authenticate("mod@example.org", PASSWORD, now=NOW).ok
    assert user.failed_logins == 0
    result = accounts.authenticate("mod@example.org", "not the password", now=NOW)
    assert result.locked_until is None and user.failed_logins == 1


def test_unknown_and_deactivated_accounts_are_refused_alike(ctx: Flask) -> None:
    user = _staff()
    user.active = False
    db.session.commit()
    assert not accounts.authenticate("mod@example.org", PASSWORD, now=NOW).ok
    assert not accounts.authenticate("Nobody@Example.org", PASSWORD, now=NOW).ok
    failed = [e for e in _events() if e.action == "staff.login_failed"]
    assert [(e.actor_id, e.actor_label, e.object_id) for e in failed] == [
        (None, "mod@example.org", user.id),
        (None, "nobody@example.org", None),
    ]


# --- invitations ---------------------------------------------------------------------------------


def test_an_invitation_works_once_and_for_seven_days(ctx: Flask) -> None:
    admin = _staff("admin@example.org", "admin")
    before = utcnow()
    user, token = accounts.invite("New@Example.org", ["translator"], admin)
    db.session.commit()
    assert user.email == "new@example.org" and user.password_hash is None
    assert before + timedelta(days=7) <= user.invite_expires_at <= utcnow() + timedelta(days=7)
    assert token not in (user.invite_token_hash or "")
    assert accounts.find_invitation(token) is user
    assert accounts.find_invitation("another-token") is None

    user.invite_expires_at = utcnow() - timedelta(seconds=1)
    assert accounts.find_invitation(token) is None
    user.invite_expires_at = utcnow() + timedelta(hours=1)

    with pytest.raises(accounts.AccountError):
        accounts.accept_invitation(user, "short")
    accounts.accept_invitation(user, "four unrelated words here")
    db.session.commit()
    assert accounts.find_invitation(token) is None
    assert accounts.authenticate("new@example.org", "four unrelated words here", now=NOW).ok
    events = [(e.action, e.actor_id) for e in _events()]
    assert events[-2:] == [("staff.invited", admin.id), ("staff.invitation_accepted", user.id)]


# --- admins changing accounts --------------------------------------------------------------------


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(
    ctx: Flask,
) -> None:
    admin = _staff("admin@example.org", "admin")
    for roles, active in ((["moderator"], True), (["admin"], False)):
        with pytest.raises(accounts.AccountError):
            accounts.update_staff(admin, admin, roles=roles, active=active, totp_required=False)
    assert (admin.roles, admin.active) == (["admin"], True)
    accounts.update_staff(
        admin, admin, roles=["admin", "moderator"], active=True, totp_required=True
    )
    assert (admin.roles, admin.totp_required) == (["admin", "moderator"], True)


def test_update_staff_audits_each_change_and_deactivation_ends_sessions(ctx: Flask) -> None:
    admin = _staff("admin@example.org", "admin")
    user = _staff("t@example.org", "translator")
    sessions.start_session(user)
    before = len(_events())
    accounts.update_staff(user, admin, roles=["translator"], active=True, totp_required=False)
    assert len(_events()) == before  # nothing changed, nothing recorded

    accounts.update_staff(user, admin, roles=["moderator"], active=False, totp_required=True)
    db.session.commit()
    changes = [(e.action, e.old_state, e.new_state) for e in _events()[before:]]
    assert changes == [
        ("staff.roles_changed", {"roles": ["translator"]}, {"roles": ["moderator"]}),
        ("staff.deactivated", {"active": True}, {"active": False}),
        ("staff.2fa_requirement_changed", {"totp_required": False}, {"totp_required": True}),
    ]
    assert all(e.actor_id == admin.id for e in _events()[before:])
    assert [(s.end_reason, s.ended_at is not None) for s in _sessions(user)] == [
        ("deactivated", True)
    ]


# --- changing one's password ---------------------------------------------------------------------


def test_change_password_ends_every_session_and_opens_a_new_one(ctx: Flask) -> None:
    user = _staff()
    phone, laptop = sessions.start_session(user), sessions.start_session(user)
    new_token = accounts.change_password(user, PASSWORD, "a new and long passphrase")
    db.session.commit()
    assert new_token not in (phone, laptop)
    assert [s.end_reason for s in _sessions(user)] == ["password", "password", None]
    lifetime, idle = timedelta(hours=12), timedelta(minutes=30)
    assert sessions.user_for_token(phone, idle, lifetime) is None
    assert sessions.user_for_token(new_token, idle, lifetime) is user
    assert accounts.authenticate("mod@example.org", "a new and long passphrase", now=NOW).ok
    assert not accounts.authenticate("mod@example.org", PASSWORD, now=NOW).ok
    assert "staff.password_changed" in [e.action for e in _events()]


@pytest.mark.parametrize(
    ("current", "new", "error", "reason"),
    [
        (
            "not the password",
            "a new and long passphrase",
            "WrongPassword",
            "wrong_current_password",
        ),
        (PASSWORD, "password1234", "WeakPassword", "weak_new_password"),
    ],
)
def test_a_refused_password_change_keeps_the_sessions_and_is_audited(
    ctx: Flask, current: str, new: str, error: str, reason: str
) -> None:
    user = _staff()
    sessions.start_session(user)
    with pytest.raises(getattr(accounts, error)):
        accounts.change_password(user, current, new)
    db.session.commit()
    assert [s.end_reason for s in _sessions(user)] == [None]
    assert accounts.authenticate("mod@example.org", PASSWORD, now=NOW).ok
    event = _events()[-1]
    assert (event.action, event.new_state) == ("staff.password_change_failed", {"reason": reason})
