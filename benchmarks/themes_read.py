"""What reading the themes costs the dashboard, unfiltered and under each filter, at N answers.

`consult.themes.queries.themes_for_consultation` never computes themes: it reads the stored ones
and, under a language, stage or group filter, reads each theme's members, the answers considered
and the untranslated ones among the matching submissions from the kept counts
(`consult.themes.tallies`, one indexed read each); under a date range it counts them (grouped
statements joined to `submission`); either way it picks quotes among the matching members (one
window-function statement). This script measures that read.

For each database (SQLite always; PostgreSQL with --postgres URL: that database is dropped and
created anew, never use consult_test) and each N (cumulative), it writes synthetic submissions of
the demo consultation (`benchmarks/synthetic.py`: 8 answers each, about a third written, most of
them approved), then stores, per recommendation, 10 themes over its approved written answers
without running the algorithm (an answer joins theme `id % 10`, one in ten a second theme; the
first three members are the quotes: the read does not depend on how themes were found) and fills
their kept counts as a finished run does (`refresh_recommendation`, timed: "kept counts filled"),
and times
`themes_for_consultation` with a fresh session each round: unfiltered (the reference, which only
counts `theme_member` rows), then by language, group, stage and a date range; first with the
in-process cache of counted parts emptied before each read (the first request after the data
changed), then with it kept (repeated requests on unchanged data). Prints min, median, p95 and
max in ms over --rounds (default 20, after one warm-up) and each median's ratio to the uncached
unfiltered median measured in the same run. Then, per filter, the quotes statement alone
(`_quote_ids`, the part of an uncached filtered read that still reads members), same statistics.

Run: .venv/bin/python benchmarks/themes_read.py [--sizes 100000,1000000]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/consult_themes_bench]
     [--rounds 20] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from benchmarks.dashboard_scale import make_app
from benchmarks.databases import on_each_database
from benchmarks.synthetic import generate
from consult.consultations.demo import load_demo
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import Consultation, ModerationState, Recommendation, Response
from consult.models.themes import Theme, ThemeMember, ThemeRun
from consult.summaries.queries import DashboardFilters, _submitted
from consult.themes import queries
from consult.themes import tallies as theme_tallies
from consult.themes.queries import themes_for_consultation

ANSWERS_PER_SUBMISSION = 8
SLUG = "leave-no-migrant-behind"
THEMES = 10
FILTERS = {
    "unfiltered (reference)": None,
    "language=ar": DashboardFilters(language="ar"),
    "group=disability": DashboardFilters(group="disability"),
    "stage=transit": DashboardFilters(stage="transit"),
    "date range": DashboardFilters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)),
}


def store_themes(consultation_id: int) -> float:
    """Replace every recommendation's themes with THEMES stored ones over its approved answers
    and fill their kept counts; returns the seconds the kept counts took."""
    recommendation_ids = list(
        db.session.scalars(
            sa.select(Recommendation.id).where(Recommendation.consultation_id == consultation_id)
        )
    )
    now = utcnow()
    db.session.execute(sa.delete(Theme).where(Theme.recommendation_id.in_(recommendation_ids)))
    db.session.execute(
        sa.delete(ThemeRun).where(ThemeRun.recommendation_id.in_(recommendation_ids))
    )
    for rid in recommendation_ids:
        answers = list(
            db.session.scalars(
                sa.select(Response.id)
                .where(
                    Response.recommendation_id == rid,
                    Response.moderation_state == ModerationState.APPROVED,
                    Response.public_text.is_not(None),
                )
                .order_by(Response.id)
            )
        )
        themes = [
            Theme(recommendation_id=rid, label=f"theme {i}", position=i) for i in range(THEMES)
        ]
        db.session.add_all(themes)
        db.session.flush()
        rows, seen = [], [0] * THEMES
        for answer in answers:
            homes = [answer % THEMES] + ([(answer + 1) % THEMES] if answer % 10 == 0 else [])
            for home in homes:
                seen[home] += 1
                rows.append(
                    {
                        "theme_id": themes[home].id,
                        "response_id": answer,
                        "quote_rank": seen[home] if seen[home] <= 3 else None,
                        "excluded": False,
                    }
                )
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(ThemeMember), rows[start : start + 5000])
        db.session.add(
            ThemeRun(
                recommendation_id=rid,
                data_as_of=now,
                computed_at=now,
                answers_considered=len(answers),
                method="benchmark",
            )
        )
    db.session.commit()
    # Statistics as autovacuum would have them after a bulk load: without them PostgreSQL takes
    # the just-loaded tables for empty and nests loops over every submission.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    start = time.perf_counter()
    for rid in recommendation_ids:
        theme_tallies.refresh_recommendation(rid)
    db.session.commit()
    return time.perf_counter() - start


def timings(
    consultation_id: int, filters: DashboardFilters | None, rounds: int, cached: bool
) -> list[float]:
    """`rounds` reads after one warm-up; `cached=False` empties the in-process cache of counted
    parts before each read (the first request after the data changed), True keeps it (repeated
    requests on unchanged data)."""
    samples = []
    for i in range(rounds + 1):
        db.session.remove()
        if not cached:
            queries._counted.clear()
        start = time.perf_counter()
        themes_for_consultation(consultation_id, filters=filters)
        if i:  # the first round warms up
            samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples)


def quote_timings(consultation_id: int, filters: DashboardFilters, rounds: int) -> list[float]:
    """The quotes statement alone under `filters`, `rounds` times after one warm-up."""
    samples = []
    for i in range(rounds + 1):
        db.session.remove()
        theme_ids = list(
            db.session.scalars(
                sa.select(Theme.id)
                .join(Recommendation, Recommendation.id == Theme.recommendation_id)
                .where(Recommendation.consultation_id == consultation_id)
            )
        )
        start = time.perf_counter()
        queries._quote_ids(theme_ids, _submitted(consultation_id, filters))
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples)


def run(label: str, url: str, sizes: list[int], rounds: int) -> None:
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_demo()
        db.session.commit()
        consultation_id = db.session.scalar(
            sa.select(Consultation.id).where(Consultation.slug == SLUG)
        )
    answers = 0
    for size in sizes:
        start = time.perf_counter()
        with app.app_context():
            with db.engine.begin() as connection:
                answers += generate(
                    connection,
                    consultation_id,
                    (size - answers) // ANSWERS_PER_SUBMISSION,
                    seed=size,
                )
            fill = store_themes(consultation_id)
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            members = db.session.scalar(sa.select(sa.func.count()).select_from(ThemeMember))
        load = time.perf_counter() - start
        print(
            f"\n{label}: {answers:,} answers, {members:,} theme members (loaded in {load:.1f} s, "
            f"kept counts filled in {fill:.1f} s)",
            flush=True,
        )
        print(
            f"  {'read':32} {'min ms':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} "
            f"{'ratio':>6}"
        )
        reference = None
        with app.app_context():
            for cached in (False, True):
                for name, filters in FILTERS.items():
                    samples = timings(consultation_id, filters, rounds, cached)
                    median = statistics.median(samples)
                    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
                    reference = reference or median
                    label = f"{name}, {'cached' if cached else 'uncached'}"
                    print(
                        f"  {label:32} {samples[0]:8.1f} {median:10.1f} {p95:8.1f} "
                        f"{samples[-1]:8.1f} {median / reference:6.2f}",
                        flush=True,
                    )
            for name, filters in FILTERS.items():
                if filters is None:
                    continue
                samples = quote_timings(consultation_id, filters, rounds)
                median = statistics.median(samples)
                p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
                print(
                    f"  {'quotes only, ' + name:32} {samples[0]:8.1f} {median:10.1f} "
                    f"{p95:8.1f} {samples[-1]:8.1f} {median / reference:6.2f}",
                    flush=True,
                )
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--postgres")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    on_each_database(
        lambda label, url: run(label, url, sizes, args.rounds),
        "themes.db",
        args.postgres,
        args.skip_sqlite,
    )


if __name__ == "__main__":
    main()
