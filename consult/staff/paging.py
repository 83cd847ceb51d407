"""Reading numbers from a staff page's query string, and splitting long lists into pages."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from consult.core.routing import whole_number


def int_arg(name: str) -> int | None:
    """A whole number from the query string, or None when it is absent or not a number (see
    `consult.core.routing.whole_number`: ASCII digits that fit a database integer)."""
    return whole_number(request.args.get(name))


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


def page_url(endpoint: str, args: Mapping[str, str], page: int) -> str:
    """The address of page `page` of a list, keeping its filters (`args`) as a query string that
    is built here, never passed to `url_for` (see `with_current_query`)."""
    pairs = args.items(multi=True) if isinstance(args, MultiDict) else args.items()
    kept = [(name, value) for name, value in pairs if name != "page"]
    return f"{url_for(endpoint)}?{urlencode([*kept, ('page', str(page))])}"
