"""Time helpers: naive UTC datetimes in the database (SQLite has no time zones), dates for
participants."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
