"""Reading numbers from a staff page's query string, and reading long lists page by page.

Lists are read by keyset ("after the row with id 1234"), never by OFFSET: a page deep in a list of
millions costs what the first page costs. A list is described by one or more *branches*, each a
`SELECT id ... WHERE ...` that an index can read in id order; the list is their union. Several
branches let a filter with alternatives (a language that is detected *or* declared, the ideas of a
consultation) use one index range per alternative instead of a scan. Counts are bounded: at most
`COUNT_BOUND` + 1 rows are counted, and more is shown as "1,000+".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request, url_for
from werkzeug.datastructures import MultiDict

from consult.core.extensions import db
from consult.core.routing import whole_number
from consult.i18n.formatting import local_number

T = TypeVar("T")
U = TypeVar("U")

# A count stops here: "1,000+" costs at most 1,001 index entries, whatever the list's size.
COUNT_BOUND = 1000
# The query-string keys of a page's position; the pager drops them from the filters it keeps.
CURSOR_KEYS = ("after", "before", "page")


def inline(value: str | int) -> sa.BindParameter:
    """`value` written into the statement's text instead of sent as a parameter: for a state from
    the vocabulary and for the page sizes, never for text from a request.

    A PostgreSQL driver prepares a statement it has run a few times, and PostgreSQL may then keep
    one generic plan for every value: planned for "some state", it walks the primary key and
    filters, which reads nearly the whole table when the few answers still pending sit at its end.
    With the value in the text, each state gets the plan its statistics call for.
    """
    return sa.literal(value, literal_execute=True)


def int_arg(name: str) -> int | None:
    """A whole number from the query string, or None when it is absent or not a number (see
    `consult.core.routing.whole_number`: ASCII digits that fit a database integer)."""
    return whole_number(request.args.get(name))


def with_current_query(url: str) -> str:
    """`url` with this request's query string (filters and page) copied as text.

    The query is never passed to `url_for` as arguments: a key such as `endpoint` or `_method` would
    be taken as one of url_for's own.
    """
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after the row `after`, or ending just before the row `before`, in
    the list's own order (ids); neither is the first page."""

    after: int | None = None
    before: int | None = None

    @property
    def is_start(self) -> bool:
        return self.after is None and self.before is None


def current_cursor() -> Cursor:
    """The page asked for by `?after=<id>` or `?before=<id>` (ASCII digits, like every id read from
    a query string); anything else is the first page."""
    after = int_arg("after")
    if after is not None:
        return Cursor(after=after)
    return Cursor(before=int_arg("before"))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, and the ids to pass as `after` / `before` for the next and
    previous pages (None when there is no such page)."""

    rows: list[T]
    next_cursor: int | None = None
    previous_cursor: int | None = None
    # False when the page was reached from another one, so the pager offers "First page".
    is_first: bool = True

    def map_rows(self, load: Callable[[list[T]], Iterable[U]]) -> Page[U]:
        """The same page with `load(rows)` as its rows (ids in, the rows they name out)."""
        return Page(list(load(self.rows)), self.next_cursor, self.previous_cursor, self.is_first)


@dataclass(frozen=True)
class Count:
    """A count that stops at a bound: `value` rows, or more than `value` when `more`."""

    value: int
    more: bool = False

    @property
    def label(self) -> str:
        """The number in the page's locale, with "+" when there are more ("1,000+")."""
        return local_number(self.value) + ("+" if self.more else "")


@dataclass(frozen=True)
class Keyset:
    """A list of ids, read page by page in id order (`descending` for newest first).

    `branches` are selects of `key` whose union is the list; no branch means an empty list.
    """

    key: sa.ColumnElement[int]
    branches: Sequence[sa.Select] = field(default_factory=list)
    descending: bool = False

    def _after(self, key: int) -> sa.ColumnElement[bool]:
        return self.key < key if self.descending else self.key > key

    def _before(self, key: int) -> sa.ColumnElement[bool]:
        return self.key > key if self.descending else self.key < key

    def _ids(self, where: sa.ColumnElement[bool] | None, limit: int, backwards: bool) -> list[int]:
        """The first `limit` ids matching `where`, in the list's order (or backwards)."""
        if not self.branches:
            return []
        descending = self.descending != backwards
        order = self.key.desc() if descending else self.key.asc()
        parts = [
            (branch if where is None else branch.where(where)).order_by(order).limit(inline(limit))
            for branch in self.branches
        ]
        if len(parts) == 1:
            return list(db.session.scalars(parts[0]))
        # Each branch gives its first `limit` ids; the first `limit` of the union are among them.
        union = sa.union(*(part.subquery().select() for part in parts)).subquery()
        column = next(iter(union.c))
        merged = sa.select(column).order_by(column.desc() if descending else column.asc())
        return list(db.session.scalars(merged.limit(inline(limit))))

    def page(self, cursor: Cursor, limit: int) -> Page[int]:
        """The ids of the page at `cursor`, with the cursors of its neighbours."""
        if cursor.before is not None:
            ids = self._ids(self._before(cursor.before), limit + 1, backwards=True)
            if len(ids) <= limit:
                # Fewer than a page before it: show the first page, whole.
                return self.page(Cursor(), limit)
            ids = ids[:limit][::-1]
            following = self._ids(self._after(ids[-1]), 1, backwards=False)
            return Page(ids, ids[-1] if following else None, ids[0], is_first=False)
        after = None if cursor.after is None else self._after(cursor.after)
        ids = self._ids(after, limit + 1, backwards=False)
        more = len(ids) > limit
        ids = ids[:limit]
        next_cursor = ids[-1] if more else None
        if cursor.after is None:
            return Page(ids, next_cursor)
        earlier = bool(ids) and bool(self._ids(self._before(ids[0]), 1, backwards=True))
        return Page(ids, next_cursor, ids[0] if earlier else None, is_first=False)

    def count(self, bound: int | None = None) -> Count:
        """How many ids the list holds, counting no further than `bound` (COUNT_BOUND)."""
        bound = COUNT_BOUND if bound is None else bound
        if not self.branches:
            return Count(0)
        # No order: any `bound` + 1 rows of a branch prove it has more than `bound`.
        parts = [branch.limit(inline(bound + 1)) for branch in self.branches]
        if len(parts) == 1:
            counted = parts[0].subquery()
        else:
            counted = sa.union(*(part.subquery().select() for part in parts)).subquery()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
        return Count(min(total, bound), more=total > bound)


def in_key_order(rows: Iterable[T], ids: Sequence[int], key: Callable[[T], int]) -> list[T]:
    """`rows` in the order of `ids` (rows loaded with `IN (...)` come back in any order); an id
    whose row has gone since is left out."""
    by_id = {key(row): row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def page_url(
    endpoint: str, args: Mapping[str, str], after: int | None = None, before: int | None = None
) -> str:
    """The address of a page of a list, keeping its filters (`args`) as a query string that is
    built here, never passed to `url_for` (see `with_current_query`). Without a cursor: the first
    page."""
    pairs = args.items(multi=True) if isinstance(args, MultiDict) else args.items()
    kept = [(name, value) for name, value in pairs if name not in CURSOR_KEYS]
    if after is not None:
        kept.append(("after", str(after)))
    elif before is not None:
        kept.append(("before", str(before)))
    query = urlencode(kept)
    return f"{url_for(endpoint)}?{query}" if query else url_for(endpoint)
