"""Failed attempts and the lock-out: five wrong passwords or codes in a row lock an account for 15
minutes.

Each attempt is counted *before* the password or code is checked, by one conditional UPDATE that
also checks the lock: it adds one to `failed_logins` (setting `locked_until` on the fifth) only
where the account is not locked, and returns the new values. The database applies the updates of
one row one after the other (PostgreSQL's row lock, SQLite's single writer), so parallel requests
never read the same count, and once the fifth attempt is counted no further password or code is
checked until the lock ends. A right password or code takes the count back to zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit
from consult.core.extensions import db
from consult.models import StaffUser

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)


class AccountLocked(Exception):
    """The account is locked: nothing was checked."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat(timespec='minutes')}")
        self.until = until


@dataclass(frozen=True)
class Attempt:
    """An attempt already counted as failed; `locks_until` is set when it was the fifth."""

    failures: int
    locks_until: datetime | None


def _set_counters(user: StaffUser, failures: int, locked_until: datetime | None) -> None:
    # What the database now holds, without marking the object changed (a flush would write it back).
    set_committed_value(user, "failed_logins", failures)
    set_committed_value(user, "locked_until", locked_until)


def begin_attempt(user: StaffUser, now: datetime) -> Attempt:
    """Count one failed attempt for `user` unless the account is locked (AccountLocked). Check the
    password or code only after this; call `succeeded` when it is right."""
    counted = StaffUser.failed_logins + 1
    locks = counted >= MAX_FAILED_LOGINS
    until = now + LOCK_DURATION
    row = db.session.execute(
        sa.update(StaffUser)
        .where(
            StaffUser.id == user.id,
            sa.or_(StaffUser.locked_until.is_(None), StaffUser.locked_until <= now),
        )
        .values(
            # The lock restarts the count: five more attempts once it has passed.
            failed_logins=sa.case((locks, 0), else_=counted),
            locked_until=sa.case((locks, until), else_=None),
        )
        .returning(StaffUser.failed_logins, StaffUser.locked_until),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if row is None:
        locked_until = db.session.scalar(
            sa.select(StaffUser.locked_until).where(StaffUser.id == user.id)
        )
        _set_counters(user, user.failed_logins, locked_until)
        raise AccountLocked(locked_until or until)
    _set_counters(user, row.failed_logins, row.locked_until)
    return Attempt(row.failed_logins, row.locked_until)


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def failed(user: StaffUser, attempt: Attempt) -> None:
    """The password or code was wrong: the attempt stays counted; audit the lock if it began."""
    if attempt.locks_until is not None:
        audit.record(
            "staff.locked", user, object_type="staff_user", object_id=user.id,
            new={"locked_until": attempt.locks_until.isoformat(timespec="minutes")},
        )  # fmt: skip


def succeeded(user: StaffUser) -> None:
    """The password or code was right: the count (this attempt included) goes back to zero."""
    db.session.execute(
        sa.update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(failed_logins=0, locked_until=None),
        execution_options={"synchronize_session": False},
    )
    _set_counters(user, 0, None)
