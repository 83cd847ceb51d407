"""The XLSX export's "Stances" sheet: stance counts per recommendation, overall and by language,
migration stage and group, with small groups suppressed as on the dashboard.

The counts are the dashboard's (`consult.summaries.queries`: every submitted answer, also one whose
text is not published, since its stance counts), grouped in the database. Every number of the sheet
goes into one suppression ledger (`consult.summaries.suppression`) with the sums a reader could use:
each row is the sum of its stances, and the language and stage rows of a stance add up to the
overall row (they split the participants; groups overlap, so their rows only add up across). A
count below the threshold shows "<N", a count hidden to protect another shows a dash.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from openpyxl import Workbook

from consult.models import Consultation
from consult.outcomes.exports import SheetWriter
from consult.outcomes.spreadsheet import xlsx_safe
from consult.summaries.queries import (
    NO_STAGE,
    DashboardFilters,
    group_stance_counts,
    recommendations,
    stance_cube,
)
from consult.summaries.suppression import Ledger, Protected, effective_threshold, protect
from consult.vocab import Group, JourneyStage, Stance

STANCES = [stance.value for stance in Stance]
TOTAL = "total"
STAGES = [stage.value for stage in JourneyStage] + [NO_STAGE]
GROUPS = [group.value for group in Group]


def _tables(
    consultation: Consultation,
) -> tuple[list[tuple[int, str, int]], dict[tuple[str, int, str | None, str], int]]:
    """(recommendation id, key, position) in order, and every count by (breakdown,
    recommendation id, category, stance or "total")."""
    filters = DashboardFilters()
    counts: dict[tuple[str, int, str | None, str], int] = {}

    def bump(key: tuple[str, int, str | None, str], count: int) -> None:
        counts[key] = counts.get(key, 0) + count

    for row in stance_cube(consultation.id, filters):
        for breakdown, category in (
            ("all", None),
            ("language", row.language),
            ("stage", row.stage),
        ):
            bump((breakdown, row.recommendation_id, category, row.stance), row.count)
            bump((breakdown, row.recommendation_id, category, TOTAL), row.count)
    for (rec, group, stance), count in group_stance_counts(consultation.id, filters).items():
        bump(("group", rec, group, stance), count)
        bump(("group", rec, group, TOTAL), count)
    ordered = [(r.id, r.key, r.position) for r in recommendations(consultation.id)]
    return ordered, counts


def _categories(
    counts: dict[tuple[str, int, str | None, str], int], breakdown: str, rec: int
) -> list[str]:
    present = {key[2] for key in counts if key[0] == breakdown and key[1] == rec}
    if breakdown == "stage":
        return [stage for stage in STAGES if stage in present]
    if breakdown == "group":
        return [group for group in GROUPS if group in present]
    return sorted(c for c in present if c is not None)


def protected_counts(
    consultation: Consultation,
) -> tuple[list[tuple[int, str, int]], dict[tuple, int], dict[int, Protected]]:
    """The counts and, per recommendation, their protection. No sum ties two recommendations
    together, so each is protected on its own: the suppression's audit re-examines a whole ledger
    after each cell it hides, and one ledger per recommendation keeps that work small."""
    ordered, counts = _tables(consultation)
    protected: dict[int, Protected] = {}
    for rec, _key, _position in ordered:
        ledger = Ledger()

        def add(key: tuple, ledger: Ledger = ledger) -> Hashable:
            return ledger.add(key, counts.get(key, 0))

        overall = [add(("all", rec, None, stance)) for stance in STANCES]
        ledger.relate(add(("all", rec, None, TOTAL)), overall)
        for breakdown in ("language", "stage", "group"):
            categories = _categories(counts, breakdown, rec)
            for category in categories:
                row = [add((breakdown, rec, category, stance)) for stance in STANCES]
                ledger.relate(add((breakdown, rec, category, TOTAL)), row)
            if breakdown == "group" or not categories:
                continue  # groups overlap: their rows do not add up to the overall row
            for column in [*STANCES, TOTAL]:
                ledger.relate(
                    ("all", rec, None, column),
                    [(breakdown, rec, category, column) for category in categories],
                )
        protected[rec] = protect(ledger, consultation.small_group_threshold)
    return ordered, counts, protected


def _cell(protected: Protected, key: tuple) -> Any:
    value = protected.value(key)
    return value if value is not None else protected.display(key)


def aggregate_sheet_writer(consultation: Consultation) -> SheetWriter:
    def write(workbook: Workbook) -> None:
        ordered, counts, protected = protected_counts(consultation)
        threshold = effective_threshold(consultation.small_group_threshold)
        sheet = workbook.create_sheet("Stances")
        sheet.append(
            [
                "Every submitted answer's stance (as on the dashboard). Counts below "
                f"{threshold} show as <{threshold}; a dash is a count hidden "
                "so that a small one cannot be worked out from the totals."
            ]
        )
        sheet.append(["recommendation", "position", "breakdown", "category", *STANCES, TOTAL])
        for rec, key, position in ordered:
            shown_position = position if position > 0 else None
            breakdowns: list[tuple[str, str | None]] = [("all", None)]
            for breakdown in ("language", "stage", "group"):
                breakdowns += [(breakdown, c) for c in _categories(counts, breakdown, rec)]
            for breakdown, category in breakdowns:
                sheet.append(
                    [xlsx_safe(key), shown_position, breakdown, category or ""]
                    + [
                        _cell(protected[rec], (breakdown, rec, category, column))
                        for column in [*STANCES, TOTAL]
                    ]
                )

    return write
