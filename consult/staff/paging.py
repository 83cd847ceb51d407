"""Reading numbers from a staff page's query string, and splitting long lists into pages."""

from __future__ import annotations

from flask import request


def int_arg(name: str) -> int | None:
    """A whole number from the query string, or None when it is absent or not a number."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def current_page() -> int:
    return max(int_arg("page") or 1, 1)


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def with_current_query(url: str) -> str:
    """`url` with this request's query string (filters and page) copied as text.

    The query is never passed to `url_for` as arguments: a key such as `endpoint` or `_method` would
    be taken as one of url_for's own.
    """
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url
