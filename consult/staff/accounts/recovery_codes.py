"""A person's recovery codes, one row each (`staff_recovery_code`), stored as SHA-256 hashes.

Using a code is one conditional UPDATE that sets `used_at` only where it is still empty: of several
requests carrying the same code at the same moment, exactly one changes the row and wins.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import StaffUser
from consult.models.staff import StaffRecoveryCode
from consult.staff.accounts import totp


def replace(user: StaffUser, codes: list[str], now: datetime) -> None:
    """Forget every earlier code of `user` and store these (shown to them once, never again)."""
    remove_all(user)
    db.session.add_all(
        StaffRecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code), created_at=now)
        for code in codes
    )
    db.session.flush()


def remove_all(user: StaffUser) -> None:
    db.session.execute(sa.delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))


def unused(user: StaffUser) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffRecoveryCode)
        .where(StaffRecoveryCode.user_id == user.id, StaffRecoveryCode.used_at.is_(None))
    )


def use(user: StaffUser, code: str, now: datetime) -> bool:
    """Mark `code` used if it is one of `user`'s unused codes; True for the one request that did."""
    result = db.session.execute(
        sa.update(StaffRecoveryCode)
        .where(
            StaffRecoveryCode.user_id == user.id,
            StaffRecoveryCode.code_hash == totp.hash_recovery_code(code),
            StaffRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1
