"""Numbers from requests: in URL paths (the app's `int` converter) and in query strings and forms.

A number is ASCII digits and fits a database integer, or it is not a number. `str.isdigit()`
accepts '²' and '٣', which `int()` then refuses or reads; and an id no database integer can hold
makes SQLite overflow and PostgreSQL refuse the query. Either way a stray link gave a 500. Here such
text is simply "not a number": a 404 in a path, absent in a query string.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER, the type of every id column (SQLite's is wider): no row has a larger id.
MAX_ID = 2**31 - 1


def whole_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """`text` as a whole number of ASCII digits up to `maximum`, else None."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= maximum else None


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to MAX_ID; anything else does not match (404)."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        if signed:
            self.regex = r"-?[0-9]+"


def init_routing(app: Flask) -> None:
    """Replace Werkzeug's `int` converter app-wide; must run before any route is registered."""
    app.url_map.converters["int"] = IdConverter
