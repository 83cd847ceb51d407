"""Reading the themes of a recommendation for the dashboard and the report (never computes).

`themes_for(recommendation_id)` returns the cached result at once, with `pending` set when a
recomputation has been asked for (new approved answers, a saved translation) and has not finished
yet, or when answers exist but nothing has been computed. Quotes show the public (redacted) text
and its translation into a working language; discarded themes are not shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    StaffUser,
)
from consult.models.themes import Theme, ThemeMember, ThemeRun
from consult.themes.inputs import best_translation, working_languages


@dataclass(frozen=True)
class Quote:
    response_id: int
    original: str  # the public (moderated, redacted) version
    original_language: str | None
    translation: str | None  # into a working language; None when the original is in one
    translation_language: str | None


@dataclass(frozen=True)
class ThemeView:
    id: int
    label: str
    answer_count: int
    share: float  # of the answers considered, 0..1
    quotes: tuple[Quote, ...]
    reviewed_by: str | None  # the reviewer's e-mail
    reviewed_at: datetime | None


@dataclass(frozen=True)
class RecommendationThemes:
    recommendation_id: int
    themes: tuple[ThemeView, ...]
    answers_considered: int
    untranslated: int
    computed_at: datetime | None
    pending: bool


def themes_for(recommendation_id: int) -> RecommendationThemes:
    return _read([recommendation_id])[recommendation_id]


def themes_for_consultation(consultation_id: int) -> dict[int, RecommendationThemes]:
    ids = list(
        db.session.scalars(
            sa.select(Recommendation.id)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )
    return _read(ids) if ids else {}


def _has_approved_text(recommendation_ids: list[int]) -> set[int]:
    rows = db.session.execute(
        sa.select(Response.recommendation_id)
        .where(
            Response.recommendation_id.in_(recommendation_ids),
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
        )
        .distinct()
    )
    return {row[0] for row in rows}


def _read(recommendation_ids: list[int]) -> dict[int, RecommendationThemes]:
    runs = {
        run.recommendation_id: run
        for run in db.session.scalars(
            sa.select(ThemeRun).where(ThemeRun.recommendation_id.in_(recommendation_ids))
        )
    }
    themes = list(
        db.session.scalars(
            sa.select(Theme)
            .where(Theme.recommendation_id.in_(recommendation_ids), Theme.discarded.is_(False))
            .order_by(Theme.recommendation_id, Theme.position, Theme.id)
        )
    )
    theme_ids = [t.id for t in themes]
    counts: dict[int, int] = {}
    quotes: dict[int, list[tuple[int, int]]] = defaultdict(list)
    reviewers: dict[int, str] = {}
    if theme_ids:
        counts = dict(
            db.session.execute(
                sa.select(ThemeMember.theme_id, sa.func.count())
                .where(ThemeMember.theme_id.in_(theme_ids), ThemeMember.excluded.is_(False))
                .group_by(ThemeMember.theme_id)
            ).all()
        )
        for theme_id, response_id, rank in db.session.execute(
            sa.select(ThemeMember.theme_id, ThemeMember.response_id, ThemeMember.quote_rank).where(
                ThemeMember.theme_id.in_(theme_ids),
                ThemeMember.quote_rank.is_not(None),
                ThemeMember.excluded.is_(False),
            )
        ):
            quotes[theme_id].append((rank, response_id))
        reviewer_ids = {t.reviewed_by_id for t in themes if t.reviewed_by_id}
        if reviewer_ids:
            reviewers = dict(
                db.session.execute(
                    sa.select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(reviewer_ids))
                ).all()
            )
    quote_ids = sorted({rid for pairs in quotes.values() for _, rid in pairs})
    shown = _quotes(quote_ids)
    missing_runs = [rid for rid in recommendation_ids if rid not in runs]
    waiting = _has_approved_text(missing_runs) if missing_runs else set()
    by_recommendation: dict[int, list[ThemeView]] = defaultdict(list)
    for theme in themes:
        run = runs.get(theme.recommendation_id)
        considered = run.answers_considered if run else 0
        count = counts.get(theme.id, 0)
        by_recommendation[theme.recommendation_id].append(
            ThemeView(
                id=theme.id,
                label=theme.label,
                answer_count=count,
                share=(count / considered) if considered else 0.0,
                quotes=tuple(
                    shown[rid] for _, rid in sorted(quotes.get(theme.id, [])) if rid in shown
                ),
                reviewed_by=reviewers.get(theme.reviewed_by_id) if theme.reviewed_by_id else None,
                reviewed_at=theme.reviewed_at,
            )
        )
    result = {}
    for rid in recommendation_ids:
        run = runs.get(rid)
        pending = (
            rid in waiting
            if run is None
            else run.requested_at is not None
            and (run.data_as_of is None or run.requested_at > run.data_as_of)
        )
        result[rid] = RecommendationThemes(
            recommendation_id=rid,
            themes=tuple(by_recommendation.get(rid, [])),
            answers_considered=run.answers_considered if run else 0,
            untranslated=run.untranslated if run else 0,
            computed_at=run.computed_at if run else None,
            pending=pending,
        )
    return result


def _quotes(response_ids: list[int]) -> dict[int, Quote]:
    """The public text of approved answers and their best translation into a working language."""
    if not response_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Response.id,
            Response.public_text,
            Response.detected_language,
            Response.text_language,
            Consultation.working_languages,
            Consultation.source_language,
        )
        .join(Recommendation, Response.recommendation_id == Recommendation.id)
        .join(Consultation, Recommendation.consultation_id == Consultation.id)
        .where(
            Response.id.in_(response_ids),
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
        )
    ).all()
    translations: dict[int, list[ResponseTranslation]] = defaultdict(list)
    for t in db.session.scalars(
        sa.select(ResponseTranslation).where(ResponseTranslation.response_id.in_(response_ids))
    ):
        translations[t.response_id].append(t)
    result = {}
    for row in rows:
        language = row.detected_language or row.text_language
        wanted = working_languages(row.working_languages, row.source_language)
        chosen = None if language in wanted else best_translation(translations[row.id], wanted)
        result[row.id] = Quote(
            response_id=row.id,
            original=row.public_text,
            original_language=language,
            translation=chosen.text if chosen else None,
            translation_language=chosen.language if chosen else None,
        )
    return result
