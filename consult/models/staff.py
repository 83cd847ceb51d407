"""Staff accounts, their server-side sessions and their invitations.

A staff session lives on the server (`staff_session`): the browser's signed cookie only carries a
random token whose hash is looked up here. Logging out, deactivation and a password change end the
rows, so a cookie captured earlier stops working at once (a signed cookie alone would stay valid
until it expired).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow


class StaffUser(db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # None until an invited person has chosen a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    ui_language: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The 30-second time step of the last accepted code: a code cannot be used twice.
    totp_last_step: Mapped[int | None]
    # Set by an admin: this person must turn on a second factor before using any staff page.
    totp_required: Mapped[bool] = mapped_column(default=False)
    invite_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]

    sessions: Mapped[list[StaffSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def label(self) -> str:
        return self.display_name or self.email


class StaffSession(db.Model):
    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # Why it ended: "logout", "idle", "expired", "deactivated", "password".
    end_reason: Mapped[str | None] = mapped_column(sa.String(16))
    # The second-factor secret this browser is being shown to enrol, made by the server and never
    # taken from a form; kept here, not in the cookie, which the browser can read.
    pending_totp_secret: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[StaffUser] = relationship(back_populates="sessions")


class StaffRecoveryCode(db.Model):
    """One recovery code of a person's second factor, stored as its SHA-256. Using a code is one
    conditional UPDATE (`used_at` from NULL to now), so a code sent twice at once works once."""

    __tablename__ = "staff_recovery_code"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
