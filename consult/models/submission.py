"""A participant's submission and their answer to each recommendation.

Privacy by construction: there is no column for an IP address, a user agent or a location, and a
submitted submission keeps only the date it was made. A draft also has an expiry instant (rounded to
the hour) so that abandoned drafts can be purged after 48 hours; it is cleared when the draft is
submitted.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.models.consultation import Consultation, Recommendation
from consult.vocab import (
    AgeBand,
    Channel,
    Group,
    JourneyStage,
    ModerationState,
    RejectReason,
    Stance,
    SubmissionState,
)


class Submission(db.Model):
    __tablename__ = "submission"
    __table_args__ = (
        SubmissionState.check("state"),
        Channel.check("channel"),
        JourneyStage.check("stage", nullable=True),
        AgeBand.check("age_band", nullable=True),
        # The dashboard's filters and breakdowns, read from the index alone (migration 0013).
        sa.Index(
            "ix_submission_dashboard",
            "consultation_id",
            "state",
            "submitted_on",
            "language",
            "stage",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    # The participant's browser holds this (in its signed session) while the submission is a draft.
    draft_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    draft_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    # SHA-256 of the normalised receipt code: the code itself is shown once and never stored, so a
    # copy of the database does not let anyone read or delete a participant's answers.
    receipt_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=SubmissionState.DRAFT)
    language: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[str] = mapped_column(sa.String(16), default=Channel.WEB)
    consent_version: Mapped[int]
    created_on: Mapped[date]
    submitted_on: Mapped[date | None] = mapped_column(index=True)
    # "About you": every field optional; PREFER_NOT ("I prefer not to say") is an answer, None means
    # not answered.
    stage: Mapped[str | None] = mapped_column(sa.String(16))
    age_band: Mapped[str | None] = mapped_column(sa.String(16))
    # Set when the participant chose "prefer not to say" for the groups question.
    groups_declined: Mapped[bool] = mapped_column(default=False)

    consultation: Mapped[Consultation] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", passive_deletes=True
    )
    groups: Mapped[list[SubmissionGroup]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def group_names(self) -> list[str]:
        return sorted(g.group for g in self.groups)


class SubmissionGroup(db.Model):
    """One row per group a participant said they belong to (a table, so breakdowns can index it)."""

    __tablename__ = "submission_group"
    __table_args__ = (Group.check("group"),)

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


def _where(condition: str) -> dict[str, sa.TextClause]:
    """A partial index's condition, on both databases."""
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


_QUEUED = _where("moderation_state IS NOT NULL")


class Response(db.Model):
    __tablename__ = "response"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "recommendation_id"),
        Stance.check("stance"),
        ModerationState.check("moderation_state", nullable=True),
        RejectReason.check("moderation_reason", nullable=True),
        sa.Index("ix_response_recommendation_stance", "recommendation_id", "stance"),
        # The dashboard's counts: each submission's answers and stances from the index alone
        # (migration 0013).
        sa.Index("ix_response_dashboard", "submission_id", "recommendation_id", "stance"),
        # The moderation queue, read in id order (keyset) by state and by each filter: see
        # `consult.moderation.queries` and migration 0006. Only answers with a moderation state
        # (written and submitted) are indexed.
        sa.Index("ix_response_queue", "moderation_state", "id", **_QUEUED),
        sa.Index(
            "ix_response_queue_detected_language",
            "moderation_state",
            "detected_language",
            "id",
            **_QUEUED,
        ),
        sa.Index(
            "ix_response_queue_text_language", "moderation_state", "text_language", "id", **_QUEUED
        ),
        sa.Index(
            "ix_response_queue_recommendation",
            "recommendation_id",
            "moderation_state",
            "id",
            **_QUEUED,
        ),
        sa.Index(
            "ix_response_queue_recommendation_detected_language",
            "recommendation_id",
            "moderation_state",
            "detected_language",
            "id",
            **_QUEUED,
        ),
        sa.Index(
            "ix_response_queue_recommendation_text_language",
            "recommendation_id",
            "moderation_state",
            "text_language",
            "id",
            **_QUEUED,
        ),
        sa.Index(
            "ix_response_queue_personal_data",
            "moderation_state",
            "id",
            **_where("personal_data_kinds IS NOT NULL"),
        ),
        sa.Index(
            "ix_response_queue_no_personal_data",
            "moderation_state",
            "id",
            **_where("personal_data_kinds IS NULL AND moderation_state IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id", ondelete="CASCADE"))
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE")
    )
    stance: Mapped[str] = mapped_column(sa.String(16), default=Stance.SKIPPED)
    # The answer exactly as written (after NFC normalisation and removal of control characters).
    # Never overwritten: the redacted public version and translations are stored beside it.
    text: Mapped[str | None] = mapped_column(sa.Text)
    # The interface language the participant was using when they wrote it.
    text_language: Mapped[str | None] = mapped_column(sa.String(16))
    detected_language: Mapped[str | None] = mapped_column(sa.String(16))
    detected_confidence: Mapped[float | None]
    needs_language_review: Mapped[bool] = mapped_column(default=False)
    # None for stance-only answers: they count in statistics without moderation.
    moderation_state: Mapped[str | None] = mapped_column(sa.String(16))
    public_text: Mapped[str | None] = mapped_column(sa.Text)
    moderated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None]
    moderation_reason: Mapped[str | None] = mapped_column(sa.String(32))
    moderation_note: Mapped[str | None] = mapped_column(sa.Text)
    # Kinds of personal data the detector found in the text ("phone,email"), None when none: set on
    # submission, whatever the channel, so moderators can filter on it.
    personal_data_kinds: Mapped[str | None] = mapped_column(sa.String(100))
    # The recommendation's text version the participant read (Recommendation.text_version).
    recommendation_version: Mapped[int | None]

    submission: Mapped[Submission] = relationship(back_populates="responses")
    recommendation: Mapped[Recommendation] = relationship()

    @property
    def has_text(self) -> bool:
        return bool(self.text)
