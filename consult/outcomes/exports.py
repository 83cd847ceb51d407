"""The answers of a consultation as CSV, XLSX or JSON, written as they are read.

CSV and JSON are generators of text chunks (the response streams them); XLSX is written by
openpyxl's write-only workbook, which keeps each row on disk as it is appended, into a temporary
file that the response then streams. Memory stays at one batch of answers whatever the size.

Every text cell of CSV and XLSX passes `spreadsheet_safe`; JSON keeps the text as it is (no program
runs JSON as formulas, and a reader of JSON wants the exact text).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from consult.models import Consultation
from consult.outcomes.export_rows import ExportRow, iter_answers, translation_languages
from consult.outcomes.spreadsheet import spreadsheet_safe, xlsx_row, xlsx_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

# Rows written to the CSV buffer before it is handed to the response.
CSV_CHUNK_ROWS = 500
FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class ExportSpec:
    consultation: Consultation
    full: bool  # with the original (unredacted) texts: admins only
    on: date

    @property
    def filename_stem(self) -> str:
        kind = "answers-with-originals" if self.full else "answers"
        return f"{self.consultation.slug}-{kind}-{self.on.isoformat()}"

    def filename(self, fmt: str) -> str:
        return f"{self.filename_stem}.{fmt}"


def _columns(full: bool, languages: list[str]) -> list[str]:
    columns = [
        "answer_id",
        "recommendation",
        "position",
        "stance",
        "language",
        "detected_language",
        "text",
    ]
    if full:
        columns.append("original_text")
    for language in languages:
        columns += [f"translation_{language}", f"translation_{language}_made_by"]
    return [*columns, "stage", "age_band", "groups", "submitted_on", "channel"]


def _cells(row: ExportRow, full: bool, languages: list[str]) -> list[Any]:
    """A row's cells; an empty one is None, which the CSV writer writes as an empty field and
    openpyxl leaves out of the sheet altogether (an empty string would still cost it a cell object
    and an XML element: about half the cells of a typical row are empty)."""
    cells: list[Any] = [
        row.answer_id,
        row.recommendation_key,
        # A hidden recommendation's position is below 1 (consult.models.consultation): no number.
        row.recommendation_position if row.recommendation_position > 0 else None,
        row.stance,
        row.language or None,
        row.detected_language or None,
        row.public_text or None,
    ]
    if full:
        cells.append(row.original_text or None)
    for language in languages:
        best = row.best_translation(language)
        cells += [best.text or None, best.made_by] if best else [None, None]
    return [
        *cells,
        row.stage or None,
        row.age_band or None,
        row.groups_cell or None,
        row.submitted_on.isoformat() if row.submitted_on else None,
        row.channel,
    ]


# --- CSV ----------------------------------------------------------------------------------------


def csv_chunks(spec: ExportSpec, rows: Iterable[ExportRow] | None = None) -> Iterator[str]:
    """The CSV file in chunks: UTF-8 with a byte-order mark (so Excel reads Arabic as Arabic),
    one header row, one row per answer."""
    languages = translation_languages(spec.consultation)
    rows = iter_answers(spec.consultation, full=spec.full) if rows is None else rows
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(_columns(spec.full, languages))
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(c) for c in _cells(row, spec.full, languages)])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- JSON ---------------------------------------------------------------------------------------


def _json_answer(row: ExportRow, full: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": row.answer_id,
        "recommendation": row.recommendation_key,
        "position": row.recommendation_position,
        "stance": row.stance,
        "language": row.language,
        "detected_language": row.detected_language,
        "text": row.public_text,
    }
    if full:
        answer["original_text"] = row.original_text
    answer["translations"] = [
        {
            "language": t.language,
            "text": t.text,
            "provenance": t.provenance,
            "translator": t.translator,
            "reviewed": t.reviewed,
        }
        for t in row.translations
    ]
    answer["profile"] = {
        "stage": row.stage,
        "age_band": row.age_band,
        "groups": row.groups,
        "groups_declined": row.groups_declined,
    }
    answer["submitted_on"] = row.submitted_on.isoformat() if row.submitted_on else None
    answer["channel"] = row.channel
    return answer


def json_chunks(spec: ExportSpec, rows: Iterable[ExportRow] | None = None) -> Iterator[str]:
    """One JSON document, `{"consultation": ..., "answers": [...]}`, an answer per chunk."""
    rows = iter_answers(spec.consultation, full=spec.full) if rows is None else rows
    head = {
        "consultation": spec.consultation.slug,
        "source_language": spec.consultation.source_language,
        "exported_on": spec.on.isoformat(),
        "with_original_texts": spec.full,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "answers": ['
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(_json_answer(row, spec.full), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# --- XLSX ---------------------------------------------------------------------------------------

# The aggregate sheet's writer, given the workbook: set by `write_xlsx`'s caller so this module
# needs nothing from the summaries.
SheetWriter = Callable[["Workbook"], None]


def write_xlsx(
    spec: ExportSpec,
    recommendations: list[tuple[str, int, str]],
    extra_sheets: Iterable[SheetWriter] = (),
    rows: Iterable[ExportRow] | None = None,
    output: IO[bytes] | None = None,
) -> IO[bytes]:
    """The workbook, written into `output` or else a temporary file (rewound): the answers, the
    recommendations (key, position, title in the source language) and any `extra_sheets`."""
    languages = translation_languages(spec.consultation)
    rows = iter_answers(spec.consultation, full=spec.full) if rows is None else rows
    from openpyxl import Workbook  # 50 ms and 10 MB at import: loaded for an export, not at start

    workbook = Workbook(write_only=True)
    answers = workbook.create_sheet("Answers")
    answers.append(_columns(spec.full, languages))
    for row in rows:
        answers.append(xlsx_row(_cells(row, spec.full, languages)))
    sheet = workbook.create_sheet("Recommendations")
    sheet.append(["recommendation", "position", "title"])
    for key, position, title in recommendations:
        sheet.append([xlsx_safe(key), position, xlsx_safe(title)])
    for write_sheet in extra_sheets:
        write_sheet(workbook)
    if output is not None:
        workbook.save(output)
        return output
    # Not a `with` block: the file outlives this function, and `file_chunks` closes it once the
    # response has sent it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def file_chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed (and deleted, if temporary) at the end."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()
