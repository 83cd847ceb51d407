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

XLSX is timed as the direct download (the threshold of background building raised out of the
way), which is the same work the background job does. With --background it also times the
background path once per size: the POST that asks for the file (answered before the file is
built), the in-process job that builds it (run when that response is closed, as a server does
after sending it), and the download of the built file.

Run: .venv/bin/python benchmarks/export_scale.py [--sizes 1250,12500]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_export_bench]
     [--rounds 3] [--skip-sqlite] [--formats csv,json,xlsx] [--background]
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
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.scale import fresh_postgres, make_app
from benchmarks.synthetic import generate
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.models import (
    Consultation,
    ExportFile,
    ExportFileStatus,
    ModerationState,
    Recommendation,
    Response,
)
from consult.outcomes.export_files import expire_export_files
from consult.staff.accounts.operations import create_staff

ORGANISER = "bench-organiser@example.org"
PASSWORD = "correct horse battery staple"
SLUG = "leave-no-migrant-behind"
# The threshold of background building while the direct downloads are timed: never reached.
DIRECT = 10**12


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


def background(app: Flask, client: FlaskClient) -> tuple[float, float, float, int]:
    """Ask for the XLSX file as a large export, let the in-process job build it, download it:
    (seconds to the answer of the request, to the file being ready, to its last byte; size)."""
    app.config["EXPORT_JOB_ANSWERS"] = 0
    try:
        started = time.perf_counter()
        response = client.post(f"/staff/c/{SLUG}/export/answers.xlsx")
        assert response.status_code == 303, response.status_code
        asked = time.perf_counter() - started
        response.close()  # the server has sent the answer: the job runs now
        ready = time.perf_counter() - started
        with app.app_context():
            file_id = db.session.scalar(sa.select(sa.func.max(ExportFile.id)))
            status = db.session.get(ExportFile, file_id).status
            db.session.remove()
        assert status == ExportFileStatus.READY, status
        response = client.post(f"/staff/c/{SLUG}/export/files/{file_id}", buffered=False)
        assert response.status_code == 200, response.status_code
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        done_at = time.perf_counter() - started
        with app.app_context():  # the file is not kept in the instance folder
            expire_export_files(app.instance_path, now=datetime.max)
            db.session.commit()
        return asked, ready, done_at, size
    finally:
        app.config["EXPORT_JOB_ANSWERS"] = DIRECT


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


def run(
    label: str, url: str, sizes: list[int], rounds: int, formats: list[str], with_job: bool
) -> None:
    app = make_app(url)
    app.config["EXPORT_JOB_ANSWERS"] = DIRECT
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
        if with_job:
            asked, ready, done_at, size_bytes = background(app, client)
            print(
                f"  xlsx in the background: request answered {asked:6.2f} s, file ready "
                f"{ready:7.2f} s, downloaded {done_at:7.2f} s, file {size_bytes / 2**20:7.1f} MiB"
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
    parser.add_argument("--background", action="store_true", help="also time the XLSX job path")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run(
                "SQLite",
                f"sqlite:///{folder}/bench.sqlite3",
                sizes,
                args.rounds,
                formats,
                args.background,
            )
    if args.postgres:
        run(
            "PostgreSQL",
            fresh_postgres(args.postgres),
            sizes,
            args.rounds,
            formats,
            args.background,
        )


if __name__ == "__main__":
    main()
