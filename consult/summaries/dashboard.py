"""The dashboard's content for one consultation and one set of filters, assembled from the counts.

`build_dashboard(consultation, filters)` runs the statements of `consult.summaries.queries`, puts
every count that will be shown into one suppression ledger per recommendation (overall distribution
and the three breakdowns share the overall numbers, so they are protected together) and one for the
timeline, then computes shares, intervals, tests, the ranking and the dividing recommendations from
the *shown* numbers only. The page, the report and the narrative all read this one object, so they
cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from consult.models import Consultation, Recommendation
from consult.summaries import queries, stats
from consult.summaries.queries import NO_STAGE, DashboardFilters
from consult.summaries.stats import STANCE_ORDER, Difference, Share
from consult.summaries.suppression import Ledger, Protected, effective_threshold, protect
from consult.vocab import Group, JourneyStage, Stance

Format = Callable[[int], str]
TOTAL = "total"
LANGUAGE, STAGE, GROUP = "language", "stage", "group"
DIMENSIONS = (LANGUAGE, STAGE, GROUP)
# Dimensions whose categories split participants into disjoint rows (rows add up to the overall).
PARTITIONS = (LANGUAGE, STAGE)
STAGE_ORDER = [*JourneyStage.values(), NO_STAGE]
GROUP_ORDER = Group.values()


@dataclass(frozen=True)
class Row:
    """One category of a breakdown (or the overall distribution) after suppression."""

    key: str
    counts: dict[str, int | None]  # per stance; None when hidden
    display: dict[str, str]  # per stance and TOTAL: the count, "<N" or the hidden mark
    total: int | None
    agree: Share | None  # None when a number it needs is hidden, or nobody answered
    partly: Share | None


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    rows: list[Row]
    differences: list[Difference]  # every tested pair, largest gap first
    dividing: list[Difference]

    @property
    def significant(self) -> list[Difference]:
        return [d for d in self.differences if d.significant]

    def significant_keys(self) -> set[str]:
        return {k for d in self.significant for k in (d.higher, d.lower)}


@dataclass(frozen=True)
class RecommendationSummary:
    recommendation: Recommendation
    overall: Row
    breakdowns: dict[str, Breakdown]
    languages_answered: int  # languages with at least one chosen stance

    @property
    def answered(self) -> int | None:
        return self.overall.agree.answered if self.overall.agree else None

    @property
    def dividing(self) -> list[tuple[str, Difference]]:
        return [(b.dimension, d) for b in self.breakdowns.values() for d in b.dividing]


@dataclass(frozen=True)
class Dashboard:
    consultation: Consultation
    filters: DashboardFilters
    threshold: int
    totals: queries.Totals
    participants_display: str
    answers_display: str
    languages_used: int
    timeline: list[tuple[date, str, int | None]]  # period start, display, count when shown
    timeline_unit: str  # "day" or "week"
    recommendations: list[RecommendationSummary]
    ranking: list[RecommendationSummary] = field(default_factory=list)
    unranked: list[RecommendationSummary] = field(default_factory=list)


def _key(rec: int, dimension: str, category: str, column: str) -> tuple:
    return (rec, dimension, category, column)


def _share(stance: str, row_counts: dict[str, int | None], total: int | None) -> Share | None:
    """The share of those who answered choosing `stance`, if it can be computed from shown
    numbers only (so that printing it reveals nothing hidden)."""
    count = row_counts.get(stance)
    if count is None:
        return None
    answered_parts = [row_counts.get(s) for s in stats.ANSWERED]
    if all(part is not None for part in answered_parts):
        answered = sum(answered_parts)  # type: ignore[arg-type]
    elif total is not None and row_counts.get(Stance.SKIPPED) is not None:
        answered = total - row_counts[Stance.SKIPPED]  # type: ignore[operator]
    else:
        return None
    return Share(count, answered) if answered else None


def _row(protected: Protected, rec: int, dimension: str, category: str, fmt: Format) -> Row:
    keys = {column: _key(rec, dimension, category, column) for column in (*STANCE_ORDER, TOTAL)}
    counts = {stance: protected.value(keys[stance]) for stance in STANCE_ORDER}
    total = protected.value(keys[TOTAL])
    return Row(
        key=category,
        counts=counts,
        display={column: protected.display(key, fmt) for column, key in keys.items()},
        total=total,
        agree=_share(Stance.AGREE, counts, total),
        partly=_share(Stance.PARTLY, counts, total),
    )


def _ordered(dimension: str, categories: set[str], by_size: dict[str, int]) -> list[str]:
    if dimension == STAGE:
        return [c for c in STAGE_ORDER if c in categories]
    if dimension == GROUP:
        return [c for c in GROUP_ORDER if c in categories]
    return sorted(categories, key=lambda c: (-by_size[c], c))


def _summarise(
    rec: Recommendation,
    cells: dict[str, dict[str, dict[str, int]]],
    overall: dict[str, int],
    threshold: int,
    fmt: Format,
) -> RecommendationSummary:
    """cells[dimension][category][stance] = count, overall[stance] = count."""
    ledger = Ledger()
    # Complements are taken from the breakdowns' cells first, the overall figures last.
    overall_keys = [
        ledger.add(_key(rec.id, "", "", s), overall.get(s, 0), priority=2) for s in STANCE_ORDER
    ]
    overall_total = ledger.add(_key(rec.id, "", "", TOTAL), sum(overall.values()), priority=3)
    ledger.relate(overall_total, overall_keys)
    orders: dict[str, list[str]] = {}
    for dimension in DIMENSIONS:
        by_category = cells.get(dimension, {})
        sizes = {c: sum(v.values()) for c, v in by_category.items()}
        orders[dimension] = _ordered(dimension, {c for c, n in sizes.items() if n}, sizes)
        for category in orders[dimension]:
            parts = [
                ledger.add(_key(rec.id, dimension, category, s), by_category[category].get(s, 0))
                for s in STANCE_ORDER
            ]
            total = ledger.add(
                _key(rec.id, dimension, category, TOTAL), sizes[category], priority=1
            )
            ledger.relate(total, parts)
        if dimension in PARTITIONS:
            for column in (*STANCE_ORDER, TOTAL):
                ledger.relate(
                    _key(rec.id, "", "", column),
                    [_key(rec.id, dimension, c, column) for c in orders[dimension]],
                )
    protected = protect(ledger, threshold)
    breakdowns = {}
    for dimension in DIMENSIONS:
        rows = [_row(protected, rec.id, dimension, c, fmt) for c in orders[dimension]]
        shares = {row.key: row.agree for row in rows if row.agree is not None}
        found = stats.differences(shares)
        shown_counts = {
            row.key: {s: n for s, n in row.counts.items() if n is not None} for row in rows
        }
        breakdowns[dimension] = Breakdown(
            dimension, rows, found, stats.dividing(found, shown_counts)
        )
    languages_answered = sum(
        1
        for counts in cells.get(LANGUAGE, {}).values()
        if any(counts.get(s, 0) for s in stats.ANSWERED)
    )
    return RecommendationSummary(
        recommendation=rec,
        overall=_row(protected, rec.id, "", "", fmt),
        breakdowns=breakdowns,
        languages_answered=languages_answered,
    )


# Beyond this many days between the first and the last submission, the timeline counts weeks.
DAYS_SHOWN_AS_DAYS = 62


def periods(days: list[tuple[date, int]]) -> tuple[list[tuple[date, int]], str]:
    """Submissions per day, or per week (starting on Monday) over a long span: ("day"|"week")."""
    if not days or (days[-1][0] - days[0][0]).days <= DAYS_SHOWN_AS_DAYS:
        return days, "day"
    weeks: dict[date, int] = defaultdict(int)
    for day, count in days:
        weeks[day - timedelta(days=day.weekday())] += count
    return sorted(weeks.items()), "week"


def _timeline(days: list[tuple[date, int]], threshold: int, fmt: Format) -> tuple[list, Protected]:
    ledger = Ledger()
    keys = [ledger.add(("day", day), count) for day, count in days]
    total = ledger.add("participants", sum(count for _, count in days))
    ledger.relate(total, keys)
    protected = protect(ledger, threshold)
    return [
        (day, protected.display(("day", day), fmt), protected.value(("day", day)))
        for day, _ in days
    ], protected


def build_dashboard(
    consultation: Consultation,
    filters: DashboardFilters,
    fmt: Format = str,
    counted_queues: queries.Queues | None = None,
) -> Dashboard:
    """Everything the page shows; `fmt` formats a count (the page passes the locale's);
    `counted_queues` when the caller has already read them (`queue_counts`)."""
    threshold = effective_threshold(consultation.small_group_threshold)
    recs = queries.recommendations(consultation.id)
    cells: dict[int, dict[str, dict[str, dict[str, int]]]] = defaultdict(
        lambda: {d: defaultdict(dict) for d in DIMENSIONS}
    )
    overall: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (rec_id, dimension, category, stance), count in queries.stance_table(
        consultation.id, filters
    ).items():
        if dimension:
            cells[rec_id][dimension][category][stance] = count
        else:
            overall[rec_id][stance] = count
    summaries = [_summarise(rec, cells[rec.id], overall[rec.id], threshold, fmt) for rec in recs]

    days, languages = queries.kept_days(consultation.id, filters)
    timeline, time_protected = _timeline(periods(days)[0], threshold, fmt)
    participants = sum(count for _, count in days)
    answers = sum(
        count
        for rec_counts in overall.values()
        for stance, count in rec_counts.items()
        if stance != Stance.SKIPPED
    )
    totals = queries.totals(
        participants, answers, counted_queues or queue_counts(consultation, filters)
    )
    ranked = [s for s in summaries if s.overall.agree is not None]
    ranked.sort(key=lambda s: stats.ranking_key(_shown(s.overall)))
    return Dashboard(
        consultation=consultation,
        filters=filters,
        threshold=threshold,
        totals=totals,
        participants_display=time_protected.display("participants", fmt),
        answers_display=small_or(answers, threshold, fmt),
        languages_used=sum(1 for n in languages.values() if n),
        timeline=timeline,
        timeline_unit=periods(days)[1],
        recommendations=summaries,
        ranking=ranked,
        unranked=[s for s in summaries if s.overall.agree is None],
    )


def queue_counts(consultation: Consultation, filters: DashboardFilters) -> queries.Queues:
    from consult.translation.desk_queries import working_languages

    return queries.queues(consultation.id, filters, working_languages(consultation))


def small_or(count: int, threshold: int, fmt: Format = str) -> str:
    """A single figure with no relation to others: the count, or "<N" when small."""
    return fmt(count) if count == 0 or count >= threshold else "<" + fmt(threshold)


def _shown(row: Row) -> dict[str, int]:
    return {stance: count for stance, count in row.counts.items() if count is not None}
