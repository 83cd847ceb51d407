"""Kept theme counts per dashboard filter combination (issue 11, item 8), so a filtered themes
read is a lookup instead of a grouped statement over every theme member.

The combinations are the dashboard's (`consult.models.tallies`): `language_filter`,
`stage_filter`, `group_filter` hold a filter value or ANY ("*"); stage "" is "did not answer".
An answer counts under every combination it matches. `consult.themes.tallies` keeps them exact:
filled when a theme run finishes, refreshed for the themes an organiser's edit touches, and
uncounted when a participant deletes a submission or the retention purge runs, each in the same
transaction. Date ranges are not kept (they still count the members, see
`consult.themes.queries`).

- `ThemeTally`: the members (not excluded) of one theme among the answers of one combination.
- `ThemeInputTally`: per recommendation and combination, the answers the last run considered and
  how many of them it read untranslated (the run's `answers_considered` / `untranslated`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.extensions import db


class ThemeTally(db.Model):
    __tablename__ = "theme_tally"

    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    language_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    stage_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    group_filter: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class ThemeInputTally(db.Model):
    __tablename__ = "theme_input_tally"

    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True
    )
    language_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    stage_filter: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    group_filter: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    considered: Mapped[int] = mapped_column(default=0)
    untranslated: Mapped[int] = mapped_column(default=0)
