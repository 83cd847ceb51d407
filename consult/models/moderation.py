"""Beside each answer: its translations and, when it shows someone at risk, a safeguarding case.

Neither ever overwrites the original answer.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models.submission import Response


class ResponseTranslation(db.Model):
    __tablename__ = "response_translation"
    __table_args__ = (sa.UniqueConstraint("response_id", "language", "provenance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    # "human" or "machine:<provider>".
    provenance: Mapped[str] = mapped_column(sa.String(64))
    translator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed: Mapped[bool] = mapped_column(default=False)

    response: Mapped[Response] = relationship()


class TranslationSkip(db.Model):
    """A translator said "I can't read this language" for an answer and a target language: the
    desk stops showing that pair to them; others still see it."""

    __tablename__ = "translation_skip"

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SafeguardingCase(db.Model):
    __tablename__ = "safeguarding_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    handled: Mapped[bool] = mapped_column(default=False, index=True)
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    handled_at: Mapped[datetime | None]

    response: Mapped[Response] = relationship()
