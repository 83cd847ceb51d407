"""Do staff pages stay flat as answers grow? Times them at N synthetic submissions.

For each database (SQLite always; PostgreSQL with --postgres URL) and each N (cumulative: the data
for 10k is the data for 1k plus 9k more), it generates submissions directly in the database
(`benchmarks/synthetic.py`, 8 answers each, about a third written), then times, through the app
in-process (no HTTP server: this is the page's own cost), with an admin signed in:

- the moderation queue's first page, a page deep in the queue (following "Next page" links),
  the queue filtered by language and by personal data;
- one moderation decision (approve), including the redirect target it computes;
- the audit log's first page and a filtered audit log.

Each page is requested `--rounds` times (default 20) and p50/p95/max are printed in ms.

Run: .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000,1000000]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_scale] [--rounds 20]
The PostgreSQL database named in the URL is dropped and created anew.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from benchmarks.synthetic import generate
from consult import create_app
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.models import Consultation, Response
from consult.staff.accounts.operations import create_staff

ADMIN = "bench-admin@example.org"
PASSWORD = "correct horse battery staple"
NEXT_LINK = re.compile(r'<a href="([^"]+)"[^>]*>[^<]*(?:Next page|Older)')


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


def fresh_postgres(url: str) -> str:
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


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


def get_ok(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def deep_queue_url(client: FlaskClient, hops: int = 20) -> str:
    """Follow the queue's "next page" link `hops` times (however the pager builds it)."""
    url = "/staff/moderate/?state=approved"
    for _ in range(hops):
        match = NEXT_LINK.search(get_ok(client, url))
        if match is None:
            break
        url = match.group(1).replace("&amp;", "&")
    return url


def measure(app: Flask, rounds: int) -> dict[str, list[float]]:
    client = signed_in(app)
    pages = {
        "queue, first page": "/staff/moderate/",
        "queue, approved, first page": "/staff/moderate/?state=approved",
        "queue, 20 pages deep": deep_queue_url(client),
        "queue, language=ar": "/staff/moderate/?language=ar",
        "queue, personal data": "/staff/moderate/?personal_data=yes",
        "audit log": "/staff/admin/audit",
        "audit log, action filter": "/staff/admin/audit?action=moderation.",
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


def run(label: str, url: str, sizes: list[int], rounds: int) -> None:
    app = make_app(url)
    prepare(app)
    total = 0
    for size in sizes:
        with app.app_context():
            consultation_id = db.session.scalar(sa.select(Consultation.id))
            started = time.perf_counter()
            with db.engine.begin() as connection:
                answers = generate(connection, consultation_id, size - total, seed=size)
            loaded = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("ANALYZE")
            else:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
        print(
            f"\n{label}: {size:,} submissions ({size * 8:,} answers); "
            f"added {size - total:,} submissions ({answers:,} answers) in {loaded:.1f} s"
        )
        total = size
        for name, times in measure(app, rounds).items():
            print(f"  {name:32} {summary(times)}  ms")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/scale.sqlite3", sizes, args.rounds)
    if args.postgres:
        run("PostgreSQL", fresh_postgres(args.postgres), sizes, args.rounds)


if __name__ == "__main__":
    main()
