"""A consultation, its recommendations, and their text in each language.

Text lives in per-language rows beside the objects (not in gettext catalogs): organisers and
translators edit it in the app, each row says who made it and whether it was reviewed, and a missing
language falls back to the consultation's source language.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.vocab import ConsultationStatus, RecommendationStage, TranslationStatus


class Consultation(db.Model):
    __tablename__ = "consultation"
    __table_args__ = (
        ConsultationStatus.check("status"),
        sa.CheckConstraint("small_group_threshold >= 3", name="small_group_threshold_at_least_3"),
        sa.CheckConstraint("retention_days > 0", name="retention_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    source_language: Mapped[str] = mapped_column(sa.String(16))
    # Languages the organisers read answers in; translators translate answers into these.
    working_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=ConsultationStatus.DRAFT, index=True)
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    # Bumped whenever the consent text changes materially; each submission records the version
    # agreed to.
    consent_version: Mapped[int] = mapped_column(default=1)
    # Answers are deleted this many days after the consultation closes (the consent text promises
    # two years); `flask purge` reads it.
    retention_days: Mapped[int] = mapped_column(default=730, server_default="730")
    # Breakdown cells with fewer participants than this show "<N" (never below 3).
    small_group_threshold: Mapped[int] = mapped_column(default=5, server_default="5")
    # The interface languages offered to this consultation's participants (consult.i18n codes).
    interface_languages: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    # Raised by each organiser's edit of the settings: a form sent with an older revision is an
    # edit that raced another one (consult.authoring.operations.EditConflict).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # Languages in which participants also see unreviewed drafts of the content, labelled
    # (consult.consultations.content); elsewhere only reviewed text and the source language.
    drafts_shown_languages: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    texts: Mapped[list[ConsultationText]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="Recommendation.position",
    )

    def is_open_on(self, day: date) -> bool:
        if self.status != ConsultationStatus.OPEN:
            return False
        if self.opens_on and day < self.opens_on:
            return False
        return not (self.closes_on and day > self.closes_on)


class ConsultationText(db.Model):
    __tablename__ = "consultation_text"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "language"),
        TranslationStatus.check("status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    consent: Mapped[str] = mapped_column(sa.Text, default="")
    # Display titles of the recommendations' sections, keyed by Recommendation.section.
    section_titles: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    # "What we heard and what we will do", written by organisers once the consultation is published.
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    # The question asked of each recommendation; None keeps the interface's translated default
    # ("What do you think?" / "Why? What would make this work for people like you?").
    question: Mapped[str | None] = mapped_column(sa.Text)
    question_why: Mapped[str | None] = mapped_column(sa.Text)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[str] = mapped_column(sa.String(16), default=TranslationStatus.DRAFT)
    # Who made this text: a staff e-mail, "demo data", or "machine:<provider>".
    made_by: Mapped[str] = mapped_column(sa.String(200), default="")
    # Who marked it reviewed (a staff e-mail) and when; None while it is a draft.
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(200))
    reviewed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="texts")


class Recommendation(db.Model):
    __tablename__ = "recommendation"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "position"),
        sa.UniqueConstraint("consultation_id", "key"),
        RecommendationStage.check("stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    # Stable identifier within the consultation (used by imports and the demo loader).
    key: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    section: Mapped[str] = mapped_column(sa.String(80))
    stage: Mapped[str] = mapped_column(sa.String(16), default=RecommendationStage.ALL)
    # Raised when a change of meaning archives the text in RecommendationVersion; each answer keeps
    # the version its participant read (Response.recommendation_version).
    text_version: Mapped[int] = mapped_column(default=1, server_default="1")
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    consultation: Mapped[Consultation] = relationship(back_populates="recommendations")

    texts: Mapped[list[RecommendationText]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan"
    )

    # A hidden recommendation leaves the 1..N sequence participants walk: its position is minus
    # its id (unique, never 1..N), so every page that counts or walks positions 1..N skips it.
    @hybrid_property
    def visible(self) -> bool:
        return self.position > 0

    @visible.inplace.expression
    @classmethod
    def _visible_expression(cls) -> sa.ColumnElement[bool]:
        return cls.position > 0


class RecommendationText(db.Model):
    __tablename__ = "recommendation_text"
    __table_args__ = (
        sa.UniqueConstraint("recommendation_id", "language"),
        TranslationStatus.check("status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))
    # A plain-language explanation of what the recommendation would mean in practice.
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=TranslationStatus.DRAFT)
    made_by: Mapped[str] = mapped_column(sa.String(200), default="")
    # Who marked it reviewed (a staff e-mail) and when; None while it is a draft.
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(200))
    reviewed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="texts")


class RecommendationVersion(db.Model):
    """A recommendation's text as it was before a change of meaning, in each language it had."""

    __tablename__ = "recommendation_version"
    __table_args__ = (sa.UniqueConstraint("recommendation_id", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE")
    )
    version: Mapped[int]
    language: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    made_by: Mapped[str] = mapped_column(sa.String(200), default="")
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
