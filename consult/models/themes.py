"""Themes found in one recommendation's approved answers, and the organisers' edits of them.

- `ThemeRun`: one row per recommendation, the cache. `fingerprint` hashes the input the themes were
  computed from (each approved answer's public text and the translation used), so a recompute with
  the same input changes nothing; `data_as_of` is when the computation read its input and
  `requested_at` when something (an approval, a saved translation) last asked for a recompute:
  the result is pending while `requested_at > data_as_of`.
- `Theme`: a computed theme (origin "computed", replaced at each recompute) or one an organiser
  touched (`pinned`): renamed, merged, split, an answer moved in or out, or discarded. Pinned themes
  survive recomputation with their answers; answers approved after `pinned_at` join them by
  similarity (see `consult.themes.operations`). `reviewed_by`/`reviewed_at`: the last person who
  reviewed or edited it.
- `ThemeMember`: an answer in a theme (`quote_rank` 1-3 when it is one of the theme's quotes), or,
  with `excluded`, an answer an organiser took out of that theme (it must not come back).

No participant text is stored here: labels are words drawn from the answers' public (redacted)
versions or typed by an organiser.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models.staff import StaffUser


class ThemeRun(db.Model):
    __tablename__ = "theme_run"

    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(sa.String(64), default="")
    # When the last computation read its input (its result reflects the answers approved before).
    data_as_of: Mapped[datetime | None]
    computed_at: Mapped[datetime | None]
    # When an approval or a saved translation last asked for a recompute.
    requested_at: Mapped[datetime | None]
    answers_considered: Mapped[int] = mapped_column(default=0)
    untranslated: Mapped[int] = mapped_column(default=0)
    # The algorithm and its parameters, e.g. "tfidf-lsa-agglo/1".
    method: Mapped[str] = mapped_column(sa.String(64), default="")


class Theme(db.Model):
    __tablename__ = "theme"
    __table_args__ = (
        sa.CheckConstraint("origin IN ('computed', 'organiser')", name="origin_known"),
        sa.Index("ix_theme_recommendation_position", "recommendation_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE")
    )
    label: Mapped[str] = mapped_column(sa.String(200))
    # "computed" (the algorithm's) or "organiser" (created by a split).
    origin: Mapped[str] = mapped_column(sa.String(16), default="computed")
    # An organiser edited it: it survives recomputation.
    pinned: Mapped[bool] = mapped_column(default=False)
    pinned_at: Mapped[datetime | None]
    # Discarded by an organiser: hidden, and a computed theme like it does not come back.
    discarded: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewed_by: Mapped[StaffUser | None] = relationship()
    members: Mapped[list[ThemeMember]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )


class ThemeMember(db.Model):
    __tablename__ = "theme_member"

    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # 1, 2, 3: the theme's representative quotes, closest first; None otherwise.
    quote_rank: Mapped[int | None]
    # An organiser took this answer out of this theme (moved it elsewhere): not a member, and a
    # recomputation does not put it back.
    excluded: Mapped[bool] = mapped_column(default=False)

    theme: Mapped[Theme] = relationship(back_populates="members")
