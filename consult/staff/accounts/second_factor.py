"""The second factor: checking a code at log-in, turning it on and off.

A code is used by a conditional update that only one request can win: the time step of a TOTP code
is stored only if it is newer than the stored one, a recovery code is marked used only if it was
not. Every check is counted by `lockout` first, like a password, and turning the second factor on
or off needs the password (and, to turn it off, a current code), so a stolen session is not enough.

Functions flush, never commit; a refused attempt is counted and audited before the exception.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import StaffUser
from consult.staff.accounts import lockout, passwords, recovery_codes, totp
from consult.staff.accounts import operations as accounts
from consult.staff.accounts.lockout import AccountLocked


def _claim_step(user: StaffUser, step: int) -> bool:
    """Store `step` as the last accepted time step unless this or a later one is stored already:
    of parallel requests with the same code, only one changes the row."""
    result = db.session.execute(
        sa.update(StaffUser)
        .where(
            StaffUser.id == user.id,
            sa.or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _use_code(user: StaffUser, code: str, now: datetime) -> str | None:
    """'totp' or 'recovery_code' when `code` is right and this request is the one that used it."""
    if user.totp_secret:
        step = totp.accepted_step(user.totp_secret, code, user.totp_last_step)
        if step is not None and _claim_step(user, step):
            return "totp"
    if recovery_codes.use(user, code, now):
        audit.record(
            "staff.recovery_code_used", user, object_type="staff_user", object_id=user.id,
            new={"recovery_codes_left": recovery_codes.unused(user)},
        )  # fmt: skip
        return "recovery_code"
    return None


def check(user: StaffUser, code: str, now: datetime | None = None) -> str | None:
    """'totp' or 'recovery_code' when the code is right (it is used up), else None. A wrong code
    counts towards the lock-out like a wrong password; a locked account raises AccountLocked and
    no code is checked. After None, `lockout.is_locked` tells whether this attempt locked it."""
    moment = now or utcnow()
    try:
        attempt = lockout.begin_attempt(user, moment)
    except AccountLocked:
        audit.record(
            "staff.second_factor_refused_locked", user, object_type="staff_user", object_id=user.id
        )
        raise
    method = _use_code(user, code, moment)
    if method is not None:
        lockout.succeeded(user)
        return method
    lockout.failed(user, attempt)
    audit.record("staff.second_factor_failed", user, object_type="staff_user", object_id=user.id)
    db.session.flush()
    return None


def enable(
    user: StaffUser, password: str, secret: str, code: str, now: datetime | None = None
) -> list[str]:
    """Turn on TOTP with `secret` (made by the server, never taken from a form) when `password` is
    the person's and `code` proves their app is set up; returns the recovery codes to show once.

    Raises AccountLocked, WrongPassword or WrongCode, each audited as staff.2fa_enrol_failed; and
    AccountError when the second factor is on already (replacing it goes through turning it off,
    which needs a current code)."""
    if user.totp_enabled:
        raise accounts.AccountError("already on")
    moment = now or utcnow()
    accounts.confirm_password(user, password, moment, "staff.2fa_enrol_failed")
    step = totp.accepted_step(secret, code, None)
    if step is None:
        accounts.record_refusal(user, "staff.2fa_enrol_failed", "wrong_code")
        raise accounts.WrongCode("code")
    codes = totp.new_recovery_codes()
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step
    recovery_codes.replace(user, codes, moment)
    audit.record("staff.2fa_enabled", user, object_type="staff_user", object_id=user.id)
    db.session.flush()
    return codes


def disable(user: StaffUser, password: str, code: str, now: datetime | None = None) -> None:
    """Turn the second factor off, with the password and a current code (or a recovery code), so
    that someone holding only a stolen session cannot.

    Raises AccountError("required") when an admin requires it; AccountLocked, WrongPassword or
    WrongCode, each audited as staff.2fa_disable_failed. A wrong code counts towards the
    lock-out."""
    if user.totp_required:
        raise accounts.AccountError("required")
    moment = now or utcnow()
    try:
        attempt = lockout.begin_attempt(user, moment)
    except AccountLocked:
        accounts.record_refusal(user, "staff.2fa_disable_failed", "locked")
        raise
    if not passwords.verify_password(user.password_hash, password):
        lockout.failed(user, attempt)
        accounts.record_refusal(user, "staff.2fa_disable_failed", "wrong_password")
        raise accounts.WrongPassword("password")
    if _use_code(user, code, moment) is None:
        lockout.failed(user, attempt)
        accounts.record_refusal(user, "staff.2fa_disable_failed", "wrong_code")
        raise accounts.WrongCode("code")
    lockout.succeeded(user)
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    recovery_codes.remove_all(user)
    audit.record("staff.2fa_disabled", user, object_type="staff_user", object_id=user.id)
    db.session.flush()
