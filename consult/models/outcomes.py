"""What came of a consultation: per recommendation, "what we heard" and "what we will do".

One row per (recommendation, language), beside the recommendation's own text rows and shaped like
them (`language`, `status`, `made_by`), so the same fallback rules apply (`pick_text`): organisers
write the source-language row; the other languages are machine drafts waiting for review
(`made_by` "machine:<provider>", status "draft") or a person's translation (their e-mail).

A table of its own rather than columns on `recommendation_text`: the outcome is written months
after the recommendation's text, by other people, and is translated and reviewed on its own; one
status and one `made_by` for both would say the wrong thing about one of them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models.consultation import Recommendation
from consult.vocab import TranslationStatus


class RecommendationOutcome(db.Model):
    __tablename__ = "recommendation_outcome"
    __table_args__ = (
        sa.UniqueConstraint("recommendation_id", "language"),
        TranslationStatus.check("status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(16))
    heard: Mapped[str] = mapped_column(sa.Text, default="")
    will_do: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=TranslationStatus.DRAFT)
    # Who made this text: a staff e-mail or "machine:<provider>".
    made_by: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recommendation: Mapped[Recommendation] = relationship()

    @property
    def is_complete(self) -> bool:
        return bool(self.heard.strip() and self.will_do.strip())
