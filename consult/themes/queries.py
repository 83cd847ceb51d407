"""Reading the themes of a recommendation for the dashboard and the report (never computes).

`themes_for(recommendation_id)` returns the cached result at once, with `pending` set when a
recomputation has been asked for (new approved answers, a saved translation) and has not finished
yet, or when answers exist but nothing has been computed. Quotes show the public (redacted) text
and its translation into a working language; discarded themes are not shown.

Filters and small groups. Themes are computed once over all approved answers; with the dashboard's
`filters` active, each theme's count, its share and the number of answers read in their original
language are those among the answers whose submission matches the filters: for language, stage and
group the kept counts of `consult.themes.tallies` (one indexed look-up), for a date range counted
with the dashboard's own `_submitted` conditions (one grouped statement each). Quotes come from
those answers only: the theme's stored quotes that match first, then other matching members by
answer number (one window-function statement over the matching members: the part of an uncached
filtered read that still grows with the number of members). Without a filter, the counts are the
kept ones of the unfiltered combination and the quotes the stored ones. Every
count goes through the dashboard's suppression (`consult.summaries.suppression`): 1 to
threshold-1 shows "<N", zero is shown, and when the themes of a recommendation add up exactly to
its answers (each answer in exactly one theme) the relation is declared so a hidden theme cannot be
recovered by subtraction (see docs/decisions.md, "Themes"). A theme whose filtered count is below
the threshold shows no quote. Templates print the `shown_*` strings, never the raw counts.

The counted part (members per theme, quotes, answers considered, untranslated) is kept in process
for the last reads, keyed by what it depends on (see `_counts_key`), so repeated dashboard requests
on unchanged data do not read the members again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.core.extensions import db
from consult.core.lru import LruCache
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    StaffUser,
    Submission,
)
from consult.models.themes import Theme, ThemeMember, ThemeRun
from consult.summaries.queries import DashboardFilters, _submitted
from consult.summaries.suppression import Ledger, Protected, effective_threshold, protect
from consult.themes import tallies
from consult.themes.inputs import best_translation, working_languages

# Quotes per theme (the job stores ranks 1-3).
MAX_QUOTES = 3


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
    # Raw numbers, for code that decides (the narrative skips themes below the threshold); pages
    # print `shown_count` and `shown_share`, which are suppressed.
    answer_count: int  # among the filtered answers when a filter is active
    share: float  # of the answers considered (filtered likewise), 0..1
    quotes: tuple[Quote, ...]
    reviewed_by: str | None  # the reviewer's e-mail
    reviewed_at: datetime | None
    shown_count: str = ""  # "12", "<5", or "–" (hidden so that another cannot be recovered)
    shown_share: float | None = None  # None when the count is hidden
    suppressed: bool = False  # the count (and share) must not be shown
    plural_count: int = 0  # the number to choose a plural form with (threshold when hidden)


@dataclass(frozen=True)
class RecommendationThemes:
    recommendation_id: int
    themes: tuple[ThemeView, ...]
    answers_considered: int  # raw, among the filtered answers when a filter is active
    untranslated: int  # raw, likewise
    computed_at: datetime | None
    pending: bool
    filtered: bool = False
    threshold: int = 5
    shown_considered: str = "0"
    plural_considered: int = 0
    shown_untranslated: str = "0"
    plural_untranslated: int = 0


def themes_for(
    recommendation_id: int,
    *,
    filters: DashboardFilters | None = None,
    threshold: int | None = None,
) -> RecommendationThemes:
    row = db.session.execute(
        sa.select(Recommendation.consultation_id, Consultation.small_group_threshold)
        .join(Consultation, Recommendation.consultation_id == Consultation.id)
        .where(Recommendation.id == recommendation_id)
    ).one_or_none()
    if row is None:  # no such recommendation: nothing to show
        limit = effective_threshold(threshold)
        return RecommendationThemes(recommendation_id, (), 0, 0, None, False, threshold=limit)
    limit = effective_threshold(threshold if threshold is not None else row[1])
    return _read(row[0], [recommendation_id], filters, limit)[recommendation_id]


def themes_for_consultation(
    consultation_id: int,
    *,
    filters: DashboardFilters | None = None,
    threshold: int | None = None,
) -> dict[int, RecommendationThemes]:
    """Every recommendation's themes; with `filters`, counted among the matching submissions;
    `threshold` defaults to the consultation's small-group threshold (never below 3)."""
    ids = list(
        db.session.scalars(
            sa.select(Recommendation.id)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )
    if not ids:
        return {}
    if threshold is None:
        threshold = db.session.scalar(
            sa.select(Consultation.small_group_threshold).where(Consultation.id == consultation_id)
        )
    return _read(consultation_id, ids, filters, effective_threshold(threshold))


def _has_approved_text(recommendation_ids: list[int]) -> set[int]:
    """Which of these recommendations have an approved written answer: one EXISTS each, which
    stops at the first entry of the moderation queue's index (recommendation, state), rather than
    a DISTINCT over every approved answer (145 ms at a million answers on PostgreSQL)."""
    approved = (
        sa.select(Response.id)
        .where(
            Response.recommendation_id == Recommendation.id,
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
        )
        .exists()
    )
    return set(
        db.session.scalars(
            sa.select(Recommendation.id).where(Recommendation.id.in_(recommendation_ids), approved)
        )
    )


def _member_counts(theme_ids: list[int], in_scope: list | None) -> dict[int, int]:
    """Members per theme (organisers' exclusions left out), among `in_scope` submissions."""
    query = sa.select(ThemeMember.theme_id, sa.func.count()).where(
        ThemeMember.theme_id.in_(theme_ids), ThemeMember.excluded.is_(False)
    )
    if in_scope is not None:
        query = (
            query.join(Response, Response.id == ThemeMember.response_id)
            .join(Submission, Submission.id == Response.submission_id)
            .where(*in_scope)
        )
    return dict(db.session.execute(query.group_by(ThemeMember.theme_id)).all())


def _quote_ids(theme_ids: list[int], in_scope: list | None) -> dict[int, list[int]]:
    """Each theme's quotes, best first: the stored ones; with a filter, the stored ones among the
    filtered members, then other filtered members by answer number, up to MAX_QUOTES."""
    if in_scope is None:
        rows = db.session.execute(
            sa.select(ThemeMember.theme_id, ThemeMember.response_id, ThemeMember.quote_rank)
            .where(
                ThemeMember.theme_id.in_(theme_ids),
                ThemeMember.quote_rank.is_not(None),
                ThemeMember.excluded.is_(False),
            )
            .order_by(ThemeMember.theme_id, ThemeMember.quote_rank, ThemeMember.response_id)
        )
    else:
        order = sa.func.row_number().over(
            partition_by=ThemeMember.theme_id,
            order_by=(
                sa.case((ThemeMember.quote_rank.is_(None), 1), else_=0),
                ThemeMember.quote_rank,
                ThemeMember.response_id,
            ),
        )
        ranked = (
            sa.select(ThemeMember.theme_id, ThemeMember.response_id, order.label("n"))
            .join(Response, Response.id == ThemeMember.response_id)
            .join(Submission, Submission.id == Response.submission_id)
            .where(
                ThemeMember.theme_id.in_(theme_ids),
                ThemeMember.excluded.is_(False),
                Response.moderation_state == ModerationState.APPROVED,
                Response.public_text.is_not(None),
                *in_scope,
            )
            .subquery()
        )
        rows = db.session.execute(
            sa.select(ranked.c.theme_id, ranked.c.response_id, ranked.c.n)
            .where(ranked.c.n <= MAX_QUOTES)
            .order_by(ranked.c.theme_id, ranked.c.n)
        )
    quotes: dict[int, list[int]] = defaultdict(list)
    for theme_id, response_id, _rank in rows:
        quotes[theme_id].append(response_id)
    return quotes


def _filtered_inputs(
    consultation_id: int, recommendation_ids: list[int], in_scope: list
) -> dict[int, tuple[int, int]]:
    """(answers considered, of which read in their original language) per recommendation among
    the filtered submissions, counted now (a date range; the other filters read the kept counts):
    the rule of `consult.themes.tallies`."""
    untranslated = tallies.untranslated_expression(tallies.wanted_languages(consultation_id))
    rows = db.session.execute(
        sa.select(
            Response.recommendation_id,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(untranslated), 0),
        )
        .join(Submission, Submission.id == Response.submission_id)
        .join(ThemeRun, ThemeRun.recommendation_id == Response.recommendation_id)
        .where(
            Response.recommendation_id.in_(recommendation_ids),
            *tallies.considered_conditions(),
            *in_scope,
        )
        .group_by(Response.recommendation_id)
    )
    return {rid: (int(count), int(untranslated)) for rid, count, untranslated in rows}


def _protect(
    considered: int, untranslated: int, counts: dict[int, int], threshold: int
) -> Protected:
    """One recommendation's theme counts through the dashboard's suppression. Themes overlap and
    some answers are in none, so their counts add up to nothing in general; when they do add up
    to the answers considered (each answer in exactly one theme), that relation is declared."""
    ledger = Ledger()
    ledger.add("considered", considered, priority=2)
    ledger.add("untranslated", untranslated, priority=1)
    for theme_id, count in counts.items():
        ledger.add(("theme", theme_id), count)
    if counts and sum(counts.values()) == considered:
        ledger.relate("considered", [("theme", t) for t in counts])
    return protect(ledger, threshold)


# The counted part of recent reads (members per theme, quotes, answers considered, untranslated),
# least recently used first: under a filter it reads every matching member, so repeated dashboard
# requests on unchanged data reuse it. The key holds everything those numbers depend on: the
# database, the consultation, the filters, the consultation's submissions version (kept by
# consult.summaries.tallies in the same transaction as a submission, a deletion or a purge), each
# shown theme with its last edit (`reviewed_at`: every organiser's edit sets it; a merge, split or
# discard changes the set of themes) and each recommendation's run (a recomputation sets
# `data_as_of` and `computed_at`; an approval or a saved translation sets `requested_at`).
COUNTED_CACHE_SIZE = 128
_counted: LruCache[tuple] = LruCache(COUNTED_CACHE_SIZE)


def _counts_key(
    consultation_id: int,
    filters: DashboardFilters | None,
    themes: list[Theme],
    runs: dict[int, ThemeRun],
) -> tuple:
    from consult.summaries.tallies import version

    return (
        id(db.engine),
        str(db.engine.url),
        consultation_id,
        filters,
        version(consultation_id),
        tuple((t.id, t.recommendation_id, t.reviewed_at) for t in themes),
        tuple(
            (rid, run.data_as_of, run.requested_at, run.computed_at)
            for rid, run in sorted(runs.items())
        ),
    )


def _read(
    consultation_id: int,
    recommendation_ids: list[int],
    filters: DashboardFilters | None,
    threshold: int,
) -> dict[int, RecommendationThemes]:
    filtered = filters is not None and filters.active
    in_scope = _submitted(consultation_id, filters) if filtered else None
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
    reviewers: dict[int, str] = {}
    reviewer_ids = {t.reviewed_by_id for t in themes if t.reviewed_by_id}
    if reviewer_ids:
        reviewers = dict(
            db.session.execute(
                sa.select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(reviewer_ids))
            ).all()
        )
    key = _counts_key(consultation_id, filters if filtered else None, themes, runs)
    counted = _counted.get(key)
    if counted is None:
        quotes = _quote_ids(theme_ids, in_scope) if theme_ids else {}
        if not filtered:  # the kept counts of the unfiltered combination, the run's inputs
            counts, _ = tallies.read(theme_ids, [], tallies.UNFILTERED)
            inputs = {rid: (run.answers_considered, run.untranslated) for rid, run in runs.items()}
        elif (kept := tallies.combination(filters)) is not None:  # language, stage, group
            counts, inputs = tallies.read(theme_ids, recommendation_ids, kept)
        else:  # a date range: counted now
            counts = _member_counts(theme_ids, in_scope) if theme_ids else {}
            inputs = _filtered_inputs(consultation_id, recommendation_ids, in_scope)
        counted = (counts, quotes, inputs)
        _counted.put(key, counted)
    counts, quotes, inputs = counted
    by_recommendation: dict[int, list[Theme]] = defaultdict(list)
    for theme in themes:
        by_recommendation[theme.recommendation_id].append(theme)
    protected = {
        rid: _protect(
            *inputs.get(rid, (0, 0)),
            {t.id: counts.get(t.id, 0) for t in by_recommendation.get(rid, [])},
            threshold,
        )
        for rid in recommendation_ids
    }
    # A quote under a filter that leaves fewer people than the threshold in its theme would
    # single someone out: such themes show none. Without a filter, any approved answer may be
    # quoted (it says nothing about who wrote it).
    quoted = {
        t.id: quotes.get(t.id, [])
        for t in themes
        if in_scope is None or counts.get(t.id, 0) >= threshold
    }
    shown = _quotes(sorted({rid for ids in quoted.values() for rid in ids}))
    missing_runs = [rid for rid in recommendation_ids if rid not in runs]
    waiting = _has_approved_text(missing_runs) if missing_runs else set()
    result = {}
    for rid in recommendation_ids:
        run = runs.get(rid)
        considered, untranslated = inputs.get(rid, (0, 0))
        cells = protected[rid]
        views = []
        for theme in by_recommendation.get(rid, []):
            count = counts.get(theme.id, 0)
            key = ("theme", theme.id)
            hidden = not cells.shown(key)
            views.append(
                ThemeView(
                    id=theme.id,
                    label=theme.label,
                    answer_count=count,
                    share=(count / considered) if considered else 0.0,
                    quotes=tuple(shown[q] for q in quoted.get(theme.id, []) if q in shown),
                    reviewed_by=reviewers.get(theme.reviewed_by_id)
                    if theme.reviewed_by_id
                    else None,
                    reviewed_at=theme.reviewed_at,
                    shown_count=cells.display(key),
                    shown_share=None if hidden else ((count / considered) if considered else 0.0),
                    suppressed=hidden,
                    plural_count=threshold if hidden else count,
                )
            )
        pending = (
            rid in waiting
            if run is None
            else run.requested_at is not None
            and (run.data_as_of is None or run.requested_at > run.data_as_of)
        )
        result[rid] = RecommendationThemes(
            recommendation_id=rid,
            themes=tuple(views),
            answers_considered=considered,
            untranslated=untranslated,
            computed_at=run.computed_at if run else None,
            pending=pending,
            filtered=filtered,
            threshold=threshold,
            shown_considered=cells.display("considered"),
            plural_considered=considered if cells.shown("considered") else threshold,
            shown_untranslated=cells.display("untranslated"),
            plural_untranslated=untranslated if cells.shown("untranslated") else threshold,
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
