"""Query plans of the staff lists at N synthetic submissions: each statement they send, explained.

For each database (SQLite always; PostgreSQL with --postgres URL) it fills a fresh database with
`--size` submissions (default 100,000: 800,000 answers) and their audit events, as
`benchmarks/scale.py` does, then calls the list queries the pages use (the moderation queue with
each filter, a page deep in it and its last page, their bounded counts, the next answer after a
decision, the audit log with each filter, its action list), records every SQL statement they send
and prints its plan: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL.

Then moderation catches up, as it does in a real consultation: every answer still pending except
the newest 1,500 is approved, so the pending ones sit at the end of the table, and the pending
queue is explained again (a plan that walks the primary key and filters would now read the whole
table).

A plan line is marked with "!!" and counted at the end when it may read much of a big table
(`response`, `audit_event`, `submission`): on PostgreSQL, a scan node whose actual rows plus the
rows its filter removed exceed LARGE_READ, or a Sort of more than LARGE_READ rows; on SQLite, which
gives no row counts, a "SCAN <table>" without an index in a statement with a WHERE clause, or a
temporary B-tree sorting the rows of a big table itself (sorting the merged branches of a union,
a few pages of ids, is fine). Tables are vacuumed and analysed after loading, as autovacuum would
have done on a live database.

Run: .venv/bin/python benchmarks/query_plans.py [--size 100000]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_plans] [--skip-sqlite]
The PostgreSQL database named in the URL is dropped and created anew.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask

from benchmarks.scale import add_audit_events, fresh_postgres, make_app, prepare
from benchmarks.synthetic import generate
from consult.audit import queries as audit_queries
from consult.audit.queries import AuditFilters
from consult.core.extensions import db
from consult.models import AuditEvent, Consultation, Response
from consult.moderation import queries as queue_queries
from consult.moderation.queries import QueueFilters
from consult.staff.paging import Cursor

BIG_TABLES = ("response", "audit_event", "submission")
# More rows than this read by one plan node is reading the list, not a page: a page is 51 rows per
# branch, a bounded count 1,001 (PostgreSQL's actual rows, times loops, plus rows filtered out).
LARGE_READ = 2500
_SQLITE_SCAN = re.compile(r"\bSCAN (\w+)(.*)")
# A scan of a table, or a bitmap index scan (named by its index, which names its table).
_PG_SCAN = re.compile(
    r"(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?"
    r"(?: using \w+)? on (\w+).*actual time=\S+ rows=(\d+) loops=(\d+)"
)
_PG_SORT = re.compile(r"\bSort \(actual time=\S+ rows=(\d+) loops=(\d+)")
_PG_REMOVED = re.compile(r"Rows Removed by (?:Filter|Index Recheck): (\d+)")
CAUGHT_UP_PENDING = 1500


def fill(app: Flask, size: int) -> None:
    with app.app_context():
        consultation_id = db.session.scalar(sa.select(Consultation.id))
        with db.engine.begin() as connection:
            generate(connection, consultation_id, size, seed=size)
            add_audit_events(connection, 1)
        vacuum_analyze()


def vacuum_analyze() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        postgres = connection.dialect.name == "postgresql"
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")


def catch_up(app: Flask) -> list[tuple[str, Callable[[], Any]]]:
    """Approve every pending answer but the newest CAUGHT_UP_PENDING; the cases to explain again."""
    with app.app_context():
        pending = sa.select(Response.id).where(Response.moderation_state == "pending")
        keep_from = db.session.scalar(
            pending.order_by(Response.id.desc()).offset(CAUGHT_UP_PENDING).limit(1)
        )
        if keep_from is not None:
            db.session.execute(
                sa.update(Response)
                .where(Response.moderation_state == "pending", Response.id <= keep_from)
                .values(moderation_state="approved")
            )
            db.session.commit()
        vacuum_analyze()
        middle = db.session.scalar(pending.order_by(Response.id).offset(700).limit(1))
    return [
        ("caught up: queue, pending", lambda: queue_queries.queue(QueueFilters())),
        ("caught up: queue count, pending", lambda: queue_queries.queue_count(QueueFilters())),
        (
            "caught up: queue, pending, language=ar",
            lambda: queue_queries.queue(QueueFilters(language="ar")),
        ),
        (
            "caught up: queue, pending, no personal data",
            lambda: queue_queries.queue(QueueFilters(personal_data=False)),
        ),
        (
            "caught up: queue count, pending, no personal data",
            lambda: queue_queries.queue_count(QueueFilters(personal_data=False)),
        ),
        ("caught up: next answer after a decision", lambda: queue_queries.next_pending(middle)),
        (
            "caught up: next answer, back to the oldest",
            lambda: queue_queries.next_pending(2**31 - 1),
        ),
    ]


def cases(app: Flask) -> list[tuple[str, Callable[[], Any]]]:
    """The list queries, as the pages call them, with cursors taken from the data."""
    with app.app_context():
        consultation_id = db.session.scalar(sa.select(Consultation.id))
        approved = sa.select(Response.id).where(Response.moderation_state == "approved")
        deep = db.session.scalar(approved.order_by(Response.id).offset(1000).limit(1))
        middle = db.session.scalar(
            sa.select(Response.id)
            .where(Response.moderation_state == "pending")
            .order_by(Response.id)
            .offset(500)
            .limit(1)
        )
        events = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        first_day = db.session.scalar(sa.select(sa.func.min(AuditEvent.at)))
    day = (first_day or datetime(2026, 1, 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    queue = {
        "pending": QueueFilters(),
        "approved": QueueFilters(state="approved"),
        "language=ar": QueueFilters(language="ar"),
        "approved, language=ar": QueueFilters(state="approved", language="ar"),
        "personal data": QueueFilters(personal_data=True),
        "no personal data": QueueFilters(personal_data=False),
        "consultation": QueueFilters(consultation_id=consultation_id),
        "idea 3": QueueFilters(consultation_id=consultation_id, recommendation_position=3),
        "idea 3, language=ar": QueueFilters(recommendation_position=3, language="ar"),
    }
    audit = {
        "everything": AuditFilters(),
        "action": AuditFilters(action="moderation.approved"),
        "family of actions": AuditFilters(action="moderation."),
        "actor": AuditFilters(actor="moderator-7@example.org"),
        "object type": AuditFilters(object_type="response"),
        "one day": AuditFilters(since=day + timedelta(days=1), until=day + timedelta(days=2)),
        "one day, one actor": AuditFilters(
            actor="moderator-7@example.org", since=day, until=day + timedelta(days=1)
        ),
    }
    found: list[tuple[str, Callable[[], Any]]] = []
    for name, filters in queue.items():
        found.append((f"queue: {name}", lambda f=filters: queue_queries.queue(f)))
        found.append((f"queue count: {name}", lambda f=filters: queue_queries.queue_count(f)))
    approved_filters = queue["approved"]
    found += [
        (
            "queue: approved, 20 pages deep",
            lambda: queue_queries.queue(approved_filters, Cursor(deep)),
        ),
        (
            "queue: approved, page before a deep one",
            lambda: queue_queries.queue(approved_filters, Cursor(before=deep)),
        ),
        (
            "queue: approved, last page",
            lambda: queue_queries.queue(approved_filters, Cursor(before=2**31 - 1)),
        ),
        ("next answer after a decision", lambda: queue_queries.next_pending(middle)),
    ]
    for name, filters in audit.items():
        found.append((f"audit: {name}", lambda f=filters: audit_queries.search(f)))
        found.append((f"audit count: {name}", lambda f=filters: audit_queries.count(f)))
    found += [
        (
            "audit: 20 pages deep",
            lambda: audit_queries.search(AuditFilters(), Cursor(max(events - 2000, 1))),
        ),
        ("audit: the action list", audit_queries.recorded_actions),
    ]
    return found


def statements_of(app: Flask, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Every statement `call` sends, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        sent.append((statement, parameters))

    with app.test_request_context("/"):
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            call()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
            db.session.remove()
    return sent


def explain(app: Flask, statement: str, parameters: Any) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
            )
            return [row[0] for row in rows]
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [f"{'  ' * (row[1] > 0)}{row[3]}" for row in rows]


def marked(statement: str, plan: list[str]) -> list[bool]:
    """Which lines of `plan` may read much of a big table (see the module's docstring)."""
    marks = [False] * len(plan)
    for n, line in enumerate(plan):
        if scan := _SQLITE_SCAN.search(line):
            table, rest = scan.groups()
            marks[n] = table in BIG_TABLES and "INDEX" not in rest and " WHERE " in statement
        elif "USE TEMP B-TREE FOR ORDER BY" in line and "UNION" not in statement:
            marks[n] = any(t in statement for t in BIG_TABLES)
        elif scan := _PG_SCAN.search(line):
            table, rows, loops = scan.group(1), int(scan.group(2)), int(scan.group(3))
            removed = _removed_below(plan, n)
            big = any(name == table or f"_{name}" in table for name in BIG_TABLES)
            marks[n] = big and rows * loops + removed > LARGE_READ
        elif sort := _PG_SORT.search(line):
            marks[n] = int(sort.group(1)) * int(sort.group(2)) > LARGE_READ
    return marks


def _removed_below(plan: list[str], n: int) -> int:
    """The rows removed by the filter of the plan node on line `n` (its detail lines follow it)."""
    for line in plan[n + 1 :]:
        if "->" in line:
            break
        if removed := _PG_REMOVED.search(line):
            return int(removed.group(1))
    return 0


def report(label: str, app: Flask, found: list[tuple[str, Callable[[], Any]]]) -> int:
    flagged = 0
    print(f"\n===== {label} =====")
    for name, call in found:
        print(f"\n--- {name}")
        for statement, parameters in statements_of(app, call):
            print("  " + " ".join(statement.split())[:400])
            plan = explain(app, statement, parameters)
            for line, bad in zip(plan, marked(statement, plan), strict=True):
                flagged += bad
                print(f"  {'!!' if bad else '  '} {line}")
    print(f"\n{label}: {flagged} plan line(s) marked !!")
    return flagged


def generic_plan(app: Flask) -> None:
    """For comparison, not counted: the pending queue as a prepared statement with the state as a
    parameter, under the generic plan PostgreSQL may settle on after five executions. Whether that
    plan still uses the index depends on the statistics and the visibility map of the moment;
    `consult.staff.paging.inline` writes the state into the statement so the question never
    arises."""
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            return
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(
            "PREPARE pending_page(text, int) AS SELECT id FROM response "
            "WHERE moderation_state = $1 ORDER BY id LIMIT $2"
        )
        rows = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE pending_page('pending', 51)"
        )
        print("\n--- for comparison: the state as a parameter, generic plan (not counted)")
        for (line,) in rows:
            print(f"     {line}")
        connection.exec_driver_sql("DEALLOCATE pending_page")


def explain_all(label: str, app: Flask, size: int) -> int:
    prepare(app)
    fill(app, size)
    flagged = report(f"{label}, {size:,} submissions", app, cases(app))
    flagged += report(f"{label}, {size:,} submissions, caught up", app, catch_up(app))
    generic_plan(app)
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    flagged = 0
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(f"sqlite:///{folder}/plans.sqlite3")
            flagged += explain_all("SQLite", app, args.size)
            with app.app_context():
                db.engine.dispose()
    if args.postgres:
        app = make_app(fresh_postgres(args.postgres))
        flagged += explain_all("PostgreSQL", app, args.size)
        with app.app_context():
            db.engine.dispose()
    sys.exit(1 if flagged else 0)


if __name__ == "__main__":
    main()
