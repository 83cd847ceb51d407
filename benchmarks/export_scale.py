"""Do the answer exports stay within a batch of memory as answers grow? Times and measures them.

For each database (SQLite always; PostgreSQL with --postgres URL) and each N (cumulative), it
generates N synthetic submissions directly in the database (`benchmarks/synthetic.py`: 8 answers
each, about a third written, most approved), then, through the app in-process with an organiser
signed in, downloads the CSV, JSON and XLSX exports (the real POST routes), reading the streamed
body chunk by chunk and throwing it away, as a client saving it to disk would. For each it prints:

- the time to the last byte (min and median over --rounds), and its ratio to a reference measured
  in the same run: one bare Core statement reading the same answers' id, stance and public text
  (no translations, groups or file writing);
- the peak of memory allocated by Python during the export (tracemalloc, in a separate round, since
  tracing slows the code), which must not grow with N;
- the file's size.

Run: .venv/bin/python benchmarks/export_scale.py [--sizes 1250,12500]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_export_bench]
     [--rounds 3] [--skip-sqlite] [--formats csv,json,xlsx]
The PostgreSQL database named in the URL is dropped and created anew.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.scale import fresh_postgres, make_app
from benchmarks.synthetic import generate
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.models import Consultation, ModerationState, Recommendation, Response
from consult.staff.accounts.operations import create_staff

ORGANISER = "bench-organiser@example.org"
PASSWORD = "correct horse battery staple"
SLUG = "leave-no-migrant-behind"


def prepare(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        load_demo()
        create_staff(ORGANISER, PASSWORD, ["organiser"])
        db.session.commit()


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    response = client.post("/staff/login", data={"email": ORGANISER, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def download(client: FlaskClient, fmt: str) -> int:
    """POST the export and read the streamed body to the end; returns its size in bytes."""
    response = client.post(f"/staff/c/{SLUG}/export/answers.{fmt}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return size


def reference(app: Flask) -> int:
    """One statement reading the exported answers' id, stance and public text, row by row."""
    with app.app_context():
        consultation_id = db.session.scalar(
            sa.select(Consultation.id).where(Consultation.slug == SLUG)
        )
        statement = (
            sa.select(Response.id, Response.stance, Response.public_text)
            .join(Recommendation, Response.recommendation_id == Recommendation.id)
            .where(
                Recommendation.consultation_id == consultation_id,
                sa.or_(
                    Response.moderation_state == ModerationState.APPROVED,
                    Response.moderation_state.is_(None),
                ),
            )
            .order_by(Response.id)
            .execution_options(yield_per=1000)
        )
        count = 0
        for _row in db.session.execute(statement):
            count += 1
        db.session.remove()
        return count


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def peak_memory(call: Callable[[], object]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(label: str, url: str, sizes: list[int], rounds: int, formats: list[str]) -> None:
    app = make_app(url)
    prepare(app)
    done = 0
    for size in sizes:
        with app.app_context():
            consultation_id = db.session.scalar(
                sa.select(Consultation.id).where(Consultation.slug == SLUG)
            )
            with db.engine.begin() as connection:
                generate(connection, consultation_id, size - done, seed=size)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("ANALYZE")
            db.session.remove()
        done = size
        client = signed_in(app)
        answers = reference(app)
        base = timed(lambda: reference(app), rounds)
        print(f"\n{label}: {size} submissions, {answers} exported answers")
        print(
            f"  reference (bare SELECT)  min {min(base):7.2f} s  median "
            f"{statistics.median(base):7.2f} s"
        )
        for fmt in formats:
            times = timed(lambda fmt=fmt, client=client: download(client, fmt), rounds)
            size_bytes = download(client, fmt)
            peak = peak_memory(lambda fmt=fmt, client=client: download(client, fmt))
            ratio_min = min(times) / min(base)
            ratio_median = statistics.median(times) / statistics.median(base)
            print(
                f"  {fmt:4}  min {min(times):7.2f} s  median {statistics.median(times):7.2f} s  "
                f"ratio {ratio_min:5.1f} / {ratio_median:5.1f}  "
                f"peak {peak / 2**20:6.1f} MiB  file {size_bytes / 2**20:7.1f} MiB"
            )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1250,12500")
    parser.add_argument("--postgres")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--formats", default="csv,json,xlsx")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/bench.sqlite3", sizes, args.rounds, formats)
    if args.postgres:
        run("PostgreSQL", fresh_postgres(args.postgres), sizes, args.rounds, formats)


if __name__ == "__main__":
    main()
