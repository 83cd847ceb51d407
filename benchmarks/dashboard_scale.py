"""How fast is the organiser's dashboard at N answers? Times /staff/c/<slug>/ at 10k, 100k, 1M.

For each database (SQLite always; PostgreSQL with --postgres URL: that database is dropped and
created anew, never use consult_test) and each N (cumulative: the data for 100k answers is the data
for 10k plus 90k more), it writes synthetic multilingual submissions of the demo consultation
directly in the database (`benchmarks/synthetic.py`: 8 answers each, 14 languages, stages, groups,
about a third written, moderation states; spread over 300 days), then requests, through the app
in-process with an organiser signed in (no HTTP server: the page's own cost):

- the dashboard unfiltered, filtered by language, by group, by stage and by a date range;
- the printable report (unfiltered).

Each page is requested --rounds times (default 20) after one warm-up request, twice: "cached" (the
rendered board is served from the in-process cache, as for repeated views between submissions)
and "cold" (that cache emptied before each request, as after every new submission: the kept
counts are read and the page rendered). Median, p95 and max are printed in ms, with the ratio of
the median to a reference measured in the same run (benchmarks/reference_app.py's bare Flask page
through its test client), the organiser's consultation list for comparison, the load time
(generation, kept counts + ANALYZE) and the number of answers.

Run: .venv/bin/python benchmarks/dashboard_scale.py [--sizes 10000,100000,1000000]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_dashboard_bench]
     [--rounds 20] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from benchmarks.databases import on_each_database
from benchmarks.reference_app import create_reference_app
from benchmarks.synthetic import generate
from consult import create_app
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.models import Consultation
from consult.staff.accounts.operations import create_staff
from consult.summaries import views as summaries_views

ORGANISER = "bench-organiser@example.org"
PASSWORD = "correct horse battery staple"
ANSWERS_PER_SUBMISSION = 8
SLUG = "leave-no-migrant-behind"
PAGES = {
    "dashboard": f"/staff/c/{SLUG}/",
    "dashboard ?language=ar": f"/staff/c/{SLUG}/?language=ar",
    "dashboard ?group=disability": f"/staff/c/{SLUG}/?group=disability",
    "dashboard ?stage=transit": f"/staff/c/{SLUG}/?stage=transit",
    "dashboard ?from..to (2 months)": f"/staff/c/{SLUG}/?from=2026-03-01&to=2026-04-30",
    "report": f"/staff/c/{SLUG}/report",
}


def make_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "CONSULT_EXTERNAL_URL": "http://127.0.0.1",
        }
    )


def timings(client, path: str, rounds: int, cold: bool = False) -> tuple[float, float, float]:
    """median, p95, max in ms; `cold`: the dashboard's rendered-board cache emptied before each
    request (as after every new submission), else served from it after the warm-up."""
    response = client.get(path)  # warm-up
    assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(rounds):
        if cold:
            summaries_views._boards.clear()
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, samples[-1]


def run(label: str, url: str, sizes: list[int], rounds: int) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        load_demo()
        create_staff(ORGANISER, PASSWORD, ["organiser"])
        db.session.commit()
        consultation_id = db.session.scalar(
            sa.select(Consultation.id).where(Consultation.slug == SLUG)
        )
    client = app.test_client()
    client.post("/staff/login", data={"email": ORGANISER, "password": PASSWORD})
    reference_folder = tempfile.mkdtemp()
    reference_client = create_reference_app(
        f"sqlite:///{reference_folder}/reference.sqlite3"
    ).test_client()
    answers = 0
    for size in sizes:
        wanted = size - answers
        start = time.perf_counter()
        with app.app_context():
            with db.engine.begin() as connection:
                answers += generate(
                    connection,
                    consultation_id,
                    wanted // ANSWERS_PER_SUBMISSION,
                    seed=size,
                )
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        load = time.perf_counter() - start
        print(f"\n{label}: {answers:,} answers (loaded in {load:.1f} s)", flush=True)
        reference = timings(reference_client, "/", rounds)
        listing = timings(client, "/staff/c/", rounds)
        print(f"  {'page':40} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'x ref':>7}")
        print(
            f"  {'reference: bare Flask page':40} {reference[0]:10.1f} {reference[1]:8.1f} "
            f"{reference[2]:8.1f} {1:7.1f}"
        )
        print(
            f"  {'reference: consultation list /staff/c/':40} {listing[0]:10.1f} {listing[1]:8.1f} "
            f"{listing[2]:8.1f} {listing[0] / reference[0]:7.1f}"
        )
        for cold in (False, True):
            for name, path in PAGES.items():
                median, p95, worst = timings(client, path, rounds, cold)
                shown = f"{name} ({'cold' if cold else 'cached'})"
                print(
                    f"  {shown:40} {median:10.1f} {p95:8.1f} {worst:8.1f} "
                    f"{median / reference[0]:7.1f}",
                    flush=True,
                )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--postgres")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    on_each_database(
        lambda label, url: run(label, url, sizes, args.rounds),
        "dashboard.sqlite3",
        args.postgres,
        args.skip_sqlite,
    )


if __name__ == "__main__":
    main()
