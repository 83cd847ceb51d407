"""Server-side staff sessions: created at log-in, checked on every request, ended on the server.

The browser keeps only a random token (in Flask's signed session cookie); its SHA-256 is the row's
key. A session ends after `idle` without a request or `lifetime` after log-in, whichever comes
first.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.core.tokens import sha256_hex
from consult.models import StaffSession, StaffUser

# How often last_seen_at is written: once a minute is precise enough for a 30-minute idle timeout
# and spares a write on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return sha256_hex(token)


def start_session(user: StaffUser) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=_hash(token), user=user))
    db.session.flush()
    return token


def user_for_token(
    token: str | None, idle: timedelta, lifetime: timedelta, now: datetime | None = None
) -> StaffUser | None:
    """The signed-in user for a session token, or None (and the session ended) when it is over."""
    if not token:
        return None
    moment = now or utcnow()
    record = db.session.scalar(
        sa.select(StaffSession).where(StaffSession.token_hash == _hash(token))
    )
    if record is None or record.ended_at is not None:
        return None
    reason = None
    if moment - record.created_at > lifetime:
        reason = "expired"
    elif moment - record.last_seen_at > idle:
        reason = "idle"
    elif not record.user.active:
        reason = "deactivated"
    if reason:
        record.ended_at, record.end_reason = moment, reason
        db.session.commit()  # the ending must stick even if the request then fails
        return None
    if moment - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = moment
        db.session.commit()
    return record.user


def end_session(token: str | None, reason: str) -> None:
    if not token:
        return
    db.session.execute(
        sa.update(StaffSession)
        .where(StaffSession.token_hash == _hash(token), StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all_sessions(user: StaffUser, reason: str) -> None:
    db.session.execute(
        sa.update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def _record(token: str | None) -> StaffSession | None:
    if not token:
        return None
    return db.session.scalar(
        sa.select(StaffSession).where(
            StaffSession.token_hash == _hash(token), StaffSession.ended_at.is_(None)
        )
    )


def pending_secret(token: str | None) -> str | None:
    """The second-factor secret this browser was last shown to enrol, if any."""
    record = _record(token)
    return record.pending_totp_secret if record else None


def set_pending_secret(token: str | None, secret: str | None) -> None:
    """Keep (or with None, forget) the secret this browser is shown to enrol. It stays on the
    server: the browser only sees it on the page, and cannot choose it."""
    record = _record(token)
    if record is not None:
        record.pending_totp_secret = secret
        db.session.flush()
