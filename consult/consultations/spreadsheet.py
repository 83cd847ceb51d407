"""Recommendations from a spreadsheet (XLSX via openpyxl, or CSV): one row per recommendation,
one column per field and language.

Columns (first row, any order, case ignored): `key` (optional: a row whose key exists fills in that
recommendation's translations; a new key, or none, adds a recommendation at the end), `section`,
`stage` (origin / transit / destination / all), and `title:<lang>` and `explanation:<lang>` for each
language (`title_<lang>` works too). `title:<source language>` is required. Every row is checked
before anything is stored: one bad cell and nothing is imported.

A recommendation that exists keeps its source text: a change of meaning is made on its own page,
where it gets a new text version (consult.authoring). Translations arrive as human drafts.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.audit.log import record
from consult.consultations.document import Problem, is_language_code
from consult.core.extensions import db
from consult.models import Consultation, RecommendationText, StaffUser
from consult.vocab import RecommendationStage, TranslationStatus

COLUMN = re.compile(r"^(title|explanation)[:_.\s(]+([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\)?$")
MAX_ROWS = 2000


class InvalidSpreadsheet(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class SheetRow:
    line: int
    key: str
    section: str
    stage: str
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> field -> text


def _cells(raw: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise InvalidSpreadsheet(
                [Problem("", None, _l("The file is not a readable XLSX workbook."))]
            ) from None
        sheet = book.worksheets[0]
        rows = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
        return rows
    if filename.lower().endswith(".csv"):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidSpreadsheet(
                [Problem("", None, _l("The file is not UTF-8 text."))]
            ) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            return [row for row in csv.reader(io.StringIO(text), dialect)]
        except csv.Error:
            raise InvalidSpreadsheet(
                [Problem("", None, _l("The file is not a readable CSV file."))]
            ) from None
    raise InvalidSpreadsheet([Problem("", None, _l("Choose an XLSX or CSV file."))])


def read_recommendations(raw: bytes, filename: str, consultation: Consultation) -> list[SheetRow]:
    """The checked rows; InvalidSpreadsheet names each problem's column and line."""
    rows = _cells(raw, filename)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise InvalidSpreadsheet([Problem("", 1, _l("The file is empty."))])
    header = [cell.strip() for cell in rows[0]]
    problems: list[Problem] = []
    columns: dict[int, tuple[str, str | None]] = {}
    for index, name in enumerate(header):
        lowered = name.lower()
        if lowered in ("key", "section", "stage"):
            columns[index] = (lowered, None)
            continue
        match = COLUMN.match(name)
        if match:
            code = match.group(2).replace("_", "-")
            if not is_language_code(code):
                problems.append(Problem(name, 1, _l("Not a known language code.")))
            columns[index] = (match.group(1).lower(), code)
        elif name:
            problems.append(
                Problem(
                    name,
                    1,
                    _l(
                        "Unknown column: use key, section, stage, title:<language> or "
                        "explanation:<language>."
                    ),
                )
            )
    source = consultation.source_language
    if ("title", source) not in columns.values():
        problems.append(
            Problem(
                f"title:{source}",
                1,
                _l("This column is missing: the title in the source language."),
            )
        )
    if problems:
        raise InvalidSpreadsheet(problems)
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidSpreadsheet(
            [Problem("", None, _l("Too many rows: at most 2000 recommendations."))]
        )

    existing = {r.key: r for r in consultation.recommendations}
    seen: set[str] = set()
    found: list[SheetRow] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, str] = {}
        sheet = SheetRow(
            line=line, key="", section="recommendations", stage=RecommendationStage.ALL
        )
        for index, (name, code) in columns.items():
            cell = cells[index].strip() if index < len(cells) else ""
            if code is None:
                values[name] = cell
            elif cell:
                sheet.texts.setdefault(code, {})[name] = cell
        sheet.key = values.get("key", "")
        sheet.section = values.get("section") or "recommendations"
        sheet.stage = (values.get("stage") or RecommendationStage.ALL).lower()
        if sheet.stage not in RecommendationStage.values():
            problems.append(Problem("stage", line, _l("Use origin, transit, destination or all.")))
        if len(sheet.section) > 80:
            problems.append(Problem("section", line, _l("Keep the section to 80 characters.")))
        if sheet.key:
            if sheet.key in seen:
                problems.append(Problem("key", line, _l("This key is used twice.")))
            seen.add(sheet.key)
        for code, texts in sheet.texts.items():
            if "title" not in texts:
                problems.append(
                    Problem(f"title:{code}", line, _l("An explanation without a title."))
                )
            elif len(texts["title"]) > 300:
                problems.append(
                    Problem(f"title:{code}", line, _l("Too long: at most 300 characters."))
                )
        rec = existing.get(sheet.key) if sheet.key else None
        source_title = sheet.texts.get(source, {}).get("title", "")
        if rec is None and not source_title:
            problems.append(
                Problem(
                    f"title:{source}",
                    line,
                    _l("A new recommendation needs its title in the source language."),
                )
            )
        if rec is not None and source in sheet.texts:
            current = next((t for t in rec.texts if t.language == source), None)
            wanted = sheet.texts[source]
            if current is not None and (
                wanted.get("title", current.title) != current.title
                or wanted.get("explanation", current.explanation) != current.explanation
            ):
                problems.append(
                    Problem(
                        f"title:{source}",
                        line,
                        _l(
                            "This changes an existing recommendation's source text: "
                            "change it on its own page."
                        ),
                    )
                )
        found.append(sheet)
    if problems:
        raise InvalidSpreadsheet(problems)
    return found


def apply_rows(
    actor: StaffUser, consultation: Consultation, rows: list[SheetRow]
) -> tuple[int, int]:
    """Store the checked rows (flush, no commit): how many recommendations were added, updated."""
    from consult.authoring.operations import add_recommendation

    source = consultation.source_language
    existing = {r.key: r for r in consultation.recommendations}
    created = updated = 0
    for sheet in rows:
        rec = existing.get(sheet.key) if sheet.key else None
        if rec is None:
            text = sheet.texts[source]
            rec = add_recommendation(
                actor,
                consultation,
                text["title"],
                text.get("explanation", ""),
                sheet.section,
                sheet.stage,
            )
            if sheet.key and sheet.key not in existing:
                rec.key = sheet.key
            existing[rec.key] = rec
            created += 1
        else:
            updated += 1
        for code, texts in sheet.texts.items():
            if code == source:
                continue
            row = next((t for t in rec.texts if t.language == code), None)
            if row is None:
                row = RecommendationText(language=code, title="")
                rec.texts.append(row)
            row.title = texts["title"]
            row.explanation = texts.get("explanation", "")
            row.status = TranslationStatus.DRAFT
            row.made_by = actor.email
            row.reviewed_by = row.reviewed_at = None
    db.session.flush()
    record(
        "recommendations.imported",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new={
            "created": created,
            "updated": updated,
            "languages": sorted({code for sheet in rows for code in sheet.texts}),
        },
    )
    return created, updated
