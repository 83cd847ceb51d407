"""Staff accounts: creation, invitations, log-in with lock-out, roles, deactivation, second factor.

Every change here writes an audit event in the same transaction. Functions flush, never commit; a
refused attempt (wrong password or code) is counted and audited before the exception, so the caller
commits on that path too.

Every check of a password is counted by `lockout` first, whichever page asks for it (log-in,
changing the password, confirming a change of the second factor in `second_factor`): five wrong
passwords or codes in a row lock the account for 15 minutes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import LazyString

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.core.tokens import sha256_hex
from consult.models import Role, StaffUser
from consult.staff.accounts import lockout, passwords, sessions
from consult.staff.accounts.lockout import AccountLocked

INVITE_LIFETIME = timedelta(days=7)


class AccountError(ValueError):
    """A change that cannot be made; the message is shown to the person."""


class WeakPassword(AccountError):
    """A new password that breaks the rules; `problems` says which, in the reader's language."""

    def __init__(self, problems: list[LazyString]) -> None:
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = problems


class WrongPassword(AccountError):
    """The current password given to confirm a change is not the right one."""


class WrongCode(AccountError):
    """The second-factor code given to confirm a change is not right, or was already used."""


def check_new_password(password: str, email: str) -> None:
    """Raise WeakPassword unless `password` follows the rules for this person's account."""
    problems = passwords.password_problems(password, email)
    if problems:
        raise WeakPassword(problems)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == normalise_email(email)))


def _check_roles(roles: list[str]) -> list[str]:
    unknown = set(roles) - set(Role.values())
    if unknown:
        raise AccountError(f"unknown role(s): {', '.join(sorted(unknown))}")
    return [r for r in Role if r in roles]


def _add_account(
    email: str, roles: list[str], actor: StaffUser | None, action: str, **fields: object
) -> StaffUser:
    """A new account for a not-yet-used e-mail address, with its audit event."""
    if find_by_email(email) is not None:
        raise AccountError(f"{email} already has an account")
    user = StaffUser(email=email, roles=_check_roles(roles), **fields)
    db.session.add(user)
    db.session.flush()
    audit.record(
        action, actor, object_type="staff_user", object_id=user.id, new={"roles": user.roles}
    )
    return user


def create_staff(
    email: str, password: str, roles: list[str], actor: StaffUser | None = None
) -> StaffUser:
    email = normalise_email(email)
    check_new_password(password, email)
    return _add_account(
        email, roles, actor, "staff.created", password_hash=passwords.hash_password(password)
    )


def _token_hash(token: str) -> str:
    return sha256_hex(token)


def invite(email: str, roles: list[str], actor: StaffUser) -> tuple[StaffUser, str]:
    """Create an account without a password; returns it and the one-time invitation token."""
    token = secrets.token_urlsafe(32)
    user = _add_account(
        normalise_email(email),
        roles,
        actor,
        "staff.invited",
        invite_token_hash=_token_hash(token),
        invite_expires_at=utcnow() + INVITE_LIFETIME,
    )
    return user, token


def find_invitation(token: str) -> StaffUser | None:
    user = db.session.scalar(
        sa.select(StaffUser).where(StaffUser.invite_token_hash == _token_hash(token))
    )
    if user is None or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user


def accept_invitation(user: StaffUser, password: str) -> None:
    """The invited person chooses their password (WeakPassword when it breaks the rules)."""
    check_new_password(password, user.email)
    user.password_hash = passwords.hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    audit.record("staff.invitation_accepted", user, object_type="staff_user", object_id=user.id)
    db.session.flush()


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None and self.locked_until is None


def authenticate(email: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password, counting failures: five in a row lock the account for 15 minutes.

    Whatever the outcome, exactly one Argon2 verification runs (against a dummy hash when there is
    no account, no password, or a lock), so the time taken does not tell which addresses have
    accounts. The result says when a locked account opens again; the log-in page does not show it
    (docs/decisions.md, "Security fixes (issue 8): accounts").
    """
    moment = now or utcnow()
    label = normalise_email(email)[:254]
    user = find_by_email(email)
    if user is None or not user.active or user.password_hash is None:
        passwords.verify_password(None, password)
        _login_failed(label, user)
        return LoginResult(None)
    try:
        attempt = lockout.begin_attempt(user, moment)
    except AccountLocked as locked:
        passwords.verify_password(None, password)
        audit.record(
            "staff.login_refused_locked", user, object_type="staff_user", object_id=user.id
        )
        db.session.flush()
        return LoginResult(None, locked.until)
    right, new_hash = passwords.verify_and_update(user.password_hash, password)
    if not right:
        lockout.failed(user, attempt)
        _login_failed(label, user)
        db.session.flush()
        return LoginResult(None, attempt.locks_until)
    lockout.succeeded(user)
    if new_hash is not None:  # older Argon2 parameters, or hashed before normalisation
        user.password_hash = new_hash
    db.session.flush()
    return LoginResult(user)


def _login_failed(label: str, user: StaffUser | None) -> None:
    audit.record(
        "staff.login_failed", None, actor_label=label,
        object_type="staff_user" if user else None, object_id=user.id if user else None,
    )  # fmt: skip


def complete_login(user: StaffUser, second_factor: str | None) -> str:
    """The password (and second factor, if any) are right: open a new server-side session."""
    user.last_login_at = utcnow()
    token = sessions.start_session(user)
    audit.record(
        "staff.login", user, object_type="staff_user", object_id=user.id,
        new={"second_factor": second_factor} if second_factor else None,
    )  # fmt: skip
    return token


def log_out(user: StaffUser, token: str | None) -> None:
    """End this browser's session (other browsers of the same person stay signed in)."""
    sessions.end_session(token, "logout")
    audit.record("staff.logout", user, object_type="staff_user", object_id=user.id)


def confirm_password(
    user: StaffUser, password: str, now: datetime, action: str, wrong: str = "wrong_password"
) -> None:
    """A signed-in person confirms a change with their password, counted like a log-in: raise
    AccountLocked or WrongPassword, each audited as `action` with the reason ("locked" or `wrong`),
    unless it is right."""
    try:
        attempt = lockout.begin_attempt(user, now)
    except AccountLocked:
        record_refusal(user, action, "locked")
        raise
    if not passwords.verify_password(user.password_hash, password):
        lockout.failed(user, attempt)
        record_refusal(user, action, wrong)
        raise WrongPassword("password")
    lockout.succeeded(user)


def record_refusal(user: StaffUser, action: str, reason: str) -> None:
    # The reason only: never the password, the code or the secret.
    audit.record(action, user, object_type="staff_user", object_id=user.id, new={"reason": reason})
    db.session.flush()


def change_password(user: StaffUser, current_password: str, new_password: str) -> str:
    """Set a new password after checking the current one; end every session of this person and
    open a new one for the browser that made the change (its token is returned).

    Raises AccountLocked, WrongPassword or WeakPassword; a refused change is audited too (the
    caller commits). The current password is counted like a log-in: a stolen session cannot try
    passwords here without limit.
    """
    action = "staff.password_change_failed"
    confirm_password(user, current_password, utcnow(), action, wrong="wrong_current_password")
    try:
        check_new_password(new_password, user.email)
    except WeakPassword:
        record_refusal(user, action, "weak_new_password")
        raise
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_all_sessions(user, "password")
    audit.record("staff.password_changed", user, object_type="staff_user", object_id=user.id)
    token = sessions.start_session(user)
    db.session.flush()
    return token


def update_staff(
    user: StaffUser, actor: StaffUser, *, roles: list[str], active: bool, totp_required: bool
) -> None:
    """An admin changes someone's roles, whether they may log in, and whether they need 2FA."""
    new_roles = _check_roles(roles)
    if user.id == actor.id and ("admin" not in new_roles or not active):
        raise AccountError("self")
    old = {"roles": user.roles, "active": user.active, "totp_required": user.totp_required}
    new = {"roles": new_roles, "active": active, "totp_required": totp_required}
    if old == new:
        return
    if old["roles"] != new_roles:
        audit.record("staff.roles_changed", actor, object_type="staff_user", object_id=user.id,
                     old={"roles": user.roles}, new={"roles": new_roles})  # fmt: skip
    if old["active"] != active:
        action = "staff.reactivated" if active else "staff.deactivated"
        audit.record(action, actor, object_type="staff_user", object_id=user.id,
                     old={"active": user.active}, new={"active": active})  # fmt: skip
        if not active:
            sessions.end_all_sessions(user, "deactivated")
    if old["totp_required"] != totp_required:
        audit.record("staff.2fa_requirement_changed", actor, object_type="staff_user",
                     object_id=user.id, old={"totp_required": user.totp_required},
                     new={"totp_required": totp_required})  # fmt: skip
    user.roles, user.active, user.totp_required = new_roles, active, totp_required
    db.session.flush()


def set_language(user: StaffUser, language: str | None) -> None:
    user.ui_language = language
    db.session.flush()
