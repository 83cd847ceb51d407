"""Do staff pages stay flat as answers grow? Times them at N synthetic submissions.

For each database (SQLite always; PostgreSQL with --postgres URL) and each N (cumulative: the data
for 10k is the data for 1k plus 9k more), it generates submissions directly in the database
(`benchmarks/synthetic.py`, 8 answers each, about a third written), then times, through the app
in-process (no HTTP server: this is the page's own cost), with an admin signed in:

- the moderation queue's first page, a page deep in the queue (following "Next page" links), the
  page before it ("Previous page"), its last page, the queue filtered by language, by personal
  data, by one idea of the consultation and by an idea and a language together;
- one moderation decision (approve), including the redirect target it computes;
- the audit log's first page, a page deep in it, and the log filtered by a family of actions, by
  one actor and by one day.

The audit log gets two events per decided answer (viewed, then decided), written the same way, in
time order, by 20 synthetic moderators, so it grows with N as a real one does.

Each page is requested `--rounds` times (default 20) and p50/p95/max are printed in ms; with
`--repeat R` the measurement is taken R times at each N and each figure is given as the minimum
and the median over the repeats (the machine may be shared: the minimum is the page's own cost).

Run: .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000,1000000]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_scale] [--rounds 20]
     [--repeat 1] [--skip-sqlite]
The PostgreSQL database named in the URL is dropped and created anew.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from benchmarks.databases import on_each_database
from benchmarks.synthetic import generate
from consult import create_app
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.models import AuditEvent, Consultation, Response
from consult.staff.accounts.operations import create_staff

ADMIN = "bench-admin@example.org"
PASSWORD = "correct horse battery staple"
NEXT_LINK = re.compile(r'<a href="([^"]+)"[^>]*>[^<]*(?:Next page|Older)')
PREVIOUS_LINK = re.compile(r'<a href="([^"]+)"[^>]*>[^<]*Previous page')
# Synthetic audit events start here, one second apart, before any real event of the run.
AUDIT_START = "2026-01-01 00:00:00"
MODERATORS = 20


def make_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,  # timing pages, not the token check
            "CONSULT_EXTERNAL_URL": "http://127.0.0.1",
        }
    )


def prepare(app: Flask) -> None:
    with app.app_context():
        upgrade()
        load_demo()
        create_staff(ADMIN, PASSWORD, ["admin", "moderator"])
        db.session.commit()


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    response = client.post("/staff/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    call()  # warm caches and connections once
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):7.1f}  p95 {p95:7.1f}  max {ordered[-1]:7.1f}"


def spread(repeats: list[list[float]]) -> str:
    """p50 and p95 of each repeat, as min / median over the repeats."""
    p50s, p95s = [], []
    for times in repeats:
        ordered = sorted(times)
        p50s.append(statistics.median(ordered))
        p95s.append(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))])
    return (
        f"p50 {min(p50s):6.1f} / {statistics.median(p50s):6.1f}  "
        f"p95 {min(p95s):6.1f} / {statistics.median(p95s):6.1f}"
    )


def get_ok(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def followed(client: FlaskClient, url: str, link: re.Pattern[str], hops: int = 20) -> str:
    """Follow a list's `link` ("next page", "previous page") `hops` times from `url`."""
    for _ in range(hops):
        match = link.search(get_ok(client, url))
        if match is None:
            break
        url = match.group(1).replace("&amp;", "&")
    return url


def add_audit_events(connection: sa.Connection, first_response: int) -> int:
    """Two events (viewed, decided) per decided answer from `first_response` on, in one INSERT ...
    SELECT, in time order; returns how many. Hashes are unique placeholders: the chain of these
    events is not meant to verify."""
    postgres = connection.dialect.name == "postgresql"

    def padded(expression: str, width: int) -> str:
        if postgres:
            return f"lpad(({expression})::text, {width}, '0')"
        return f"printf('%0{width}d', {expression})"

    if postgres:
        at = f"TIMESTAMP '{AUDIT_START}' + (n * INTERVAL '1 second')"
    else:  # the text form SQLAlchemy writes, so that comparisons with it hold
        at = f"datetime('{AUDIT_START}', '+' || n || ' seconds') || '.000000'"
    label = f"'moderator-' || (r.id % {MODERATORS}) || '@example.org'"
    decided = (
        "'moderation.' || CASE r.moderation_state WHEN 'safeguarding' THEN 'escalated' "
        "ELSE r.moderation_state END"
    )
    events = f"""
        SELECT r.id AS object_id, r.id * 2 + k.kind AS n, {label} AS actor_label,
               CASE k.kind WHEN 0 THEN 'moderation.original_viewed' ELSE {decided} END AS action
        FROM response AS r CROSS JOIN (SELECT 0 AS kind UNION ALL SELECT 1) AS k
        WHERE r.id >= :first AND r.moderation_state IS NOT NULL AND r.moderation_state != 'pending'
    """
    statement = f"""
        INSERT INTO audit_event
            (at, actor_label, action, object_type, object_id, previous_hash, hash)
        SELECT {at}, actor_label, action, 'response', object_id,
               'p' || {padded("n", 63)}, {padded("n", 64)}
        FROM ({events}) AS e ORDER BY n
    """
    return connection.execute(sa.text(statement), {"first": first_response}).rowcount


def measure(app: Flask, rounds: int) -> dict[str, list[float]]:
    client = signed_in(app)
    with app.app_context():
        consultation_id = db.session.scalar(sa.select(Consultation.id))
        busiest_day = db.session.scalar(
            sa.select(sa.func.min(AuditEvent.at)).where(AuditEvent.action != "staff.login")
        )
    deep = followed(client, "/staff/moderate/?state=approved", NEXT_LINK)
    day = (busiest_day or datetime(2026, 1, 1)).date()
    pages = {
        "queue, first page": "/staff/moderate/",
        "queue, approved, first page": "/staff/moderate/?state=approved",
        "queue, 20 pages deep": deep,
        "queue, back from 20 deep": followed(client, deep, PREVIOUS_LINK, hops=1),
        "queue, approved, last page": "/staff/moderate/?state=approved&before=2147483647",
        "queue, language=ar": "/staff/moderate/?language=ar",
        "queue, personal data": "/staff/moderate/?personal_data=yes",
        "queue, idea 3": f"/staff/moderate/?consultation={consultation_id}&recommendation=3",
        "queue, idea 3, language=ar": "/staff/moderate/?recommendation=3&language=ar",
        "audit log": "/staff/admin/audit",
        "audit log, 20 pages deep": followed(client, "/staff/admin/audit", NEXT_LINK),
        "audit log, action filter": "/staff/admin/audit?action=moderation.",
        "audit log, one actor": "/staff/admin/audit?actor=moderator-7@example.org",
        "audit log, one day": f"/staff/admin/audit?since={day}&until={day + timedelta(days=1)}",
    }
    results = {
        name: timed(lambda url=url: get_ok(client, url), rounds) for name, url in pages.items()
    }
    with app.app_context():
        pending = list(
            db.session.scalars(
                sa.select(Response.id)
                .where(Response.moderation_state == "pending")
                .order_by(Response.id)
                .limit(rounds + 1)
            )
        )
    ids = iter(pending)

    def approve() -> None:
        response = client.post(
            f"/staff/moderate/{next(ids)}", data={"action": "approve", "reason": "other"}
        )
        assert response.status_code == 302, response.status_code

    results["approve one answer"] = timed(approve, rounds)
    return results


def run(label: str, url: str, sizes: list[int], rounds: int, repeat: int) -> None:
    app = make_app(url)
    prepare(app)
    total = 0
    for size in sizes:
        with app.app_context():
            consultation_id = db.session.scalar(sa.select(Consultation.id))
            started = time.perf_counter()
            with db.engine.begin() as connection:
                first_response = (connection.scalar(sa.select(sa.func.max(Response.id))) or 0) + 1
                answers = generate(connection, consultation_id, size - total, seed=size)
                events = add_audit_events(connection, first_response)
            loaded = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                # As autovacuum would have, on a live database: statistics, and the visibility
                # map that lets index-only scans skip the table.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM ANALYZE")
            else:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
        print(
            f"\n{label}: {size:,} submissions ({size * 8:,} answers); "
            f"added {size - total:,} submissions ({answers:,} answers, {events:,} audit events) "
            f"in {loaded:.1f} s"
        )
        total = size
        runs = [measure(app, rounds) for _ in range(repeat)]
        for name in runs[0]:
            if repeat == 1:
                print(f"  {name:32} {summary(runs[0][name])}  ms")
            else:
                print(f"  {name:32} {spread([run[name] for run in runs])}  ms")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    on_each_database(
        lambda label, url: run(label, url, sizes, args.rounds, args.repeat),
        "scale.sqlite3",
        args.postgres,
        args.skip_sqlite,
    )


if __name__ == "__main__":
    main()
