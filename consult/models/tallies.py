"""The dashboard's kept counts (issue 11, item 8): exact aggregates of the submitted submissions.

They change in the same transaction as what they count (`consult.summaries.tallies`): a draft
becoming a submission adds, a participant's deletion and the retention purge subtract. The
dashboard reads them instead of every answer, so its cost does not grow with the number of answers.
See docs/decisions.md, "Dashboard aggregates".

Both tables are kept per *filter combination*: `language_filter`, `stage_filter` and
`group_filter` hold a filter value, or ANY ("*") for "not filtered on this". An answer is counted
under each combination it matches (its language or ANY, its stage or ANY, each of its groups or
ANY), so one page reads only the rows of its own combination: a few hundred, whatever the number
of answers. `stage` "" means the participant did not answer the stage question.

- `DashboardTally`: answers per (consultation, recommendation, filter combination, breakdown,
  category, stance); breakdown "" is the overall row (category ""), else "language", "stage" or
  "group" with the category's value. Groups overlap: a person in two groups counts once overall
  and once in each group's row, as the dashboard shows them.
- `DashboardDay`: participants per (consultation, submission day, filter combination): the
  timeline, the participants total and, with `language_filter` set, the languages used.
- `DashboardVersion`: one number per consultation that changes in the same transaction as its
  counts, so a cached page built from older counts is never served.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.extensions import db


class DashboardTally(db.Model):
    __tablename__ = "dashboard_tally"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    language_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    stage_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    group_filter: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    stance: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class DashboardDay(db.Model):
    __tablename__ = "dashboard_day"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    # Stage and group first: the languages-used read fixes them and takes every language.
    stage_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    group_filter: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    language_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class DashboardVersion(db.Model):
    __tablename__ = "dashboard_version"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=0)
