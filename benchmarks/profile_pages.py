"""Where a participant page's time goes: cProfile over repeated GETs, and the SQL each one sends.

Run from the repository root:

    .venv/bin/python benchmarks/profile_pages.py [--requests 200] [--page question] [--top 30]
    .venv/bin/python benchmarks/profile_pages.py --database postgresql+psycopg://postgres@127.0.0.1:5432/consult_profile

It builds Consult on a fresh database (SQLite in a temporary folder, or the PostgreSQL database
named, dropped and created), loads the demo consultation, starts a draft through the real forms
with Flask's test client, answers the first idea, then:

- counts the SQL statements one GET of each participant page sends (a `before_cursor_execute`
  listener) and the time spent in them, and times `--requests` GETs of each page in CPU time
  (time.process_time: on a machine shared with other work, wall time measures the others too),
  and the part of it spent rendering templates (Flask's `render_template`, timed the same way);
- profiles `--requests` GETs of one page (`--page`: home, intro, question, about, review) and
  prints the functions with the most cumulative time;
- with `--journeys N`, walks N whole journeys (the steps of benchmarks/load.py) and prints the CPU
  time of each step, per request and per journey.

The app runs as in production (not TESTING, not debug), so template caching, cookies and headers
are those a worker has. Figures go to docs/benchmarks.md, "Participant pages under load".
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import fresh_postgres  # noqa: E402
from consult import create_app  # noqa: E402
from consult.core.extensions import db  # noqa: E402

SLUG = "leave-no-migrant-behind"
PAGES = {
    "home": "/en/",
    "intro": f"/en/c/{SLUG}/",
    "question": f"/en/c/{SLUG}/q/2",
    "about": f"/en/c/{SLUG}/about",
    "review": f"/en/c/{SLUG}/review",
}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def build_app(database_url: str, folder: Path):
    app = create_app(
        {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CONSULT_EXTERNAL_URL": "http://127.0.0.1",
            "CONSULT_SECURE_COOKIES": False,
            # The journeys here send forms at once: no minimum time on the page (spam defence).
            "CONSULT_SPAM_MIN_SECONDS": 0,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from consult.consultations.demo import load_demo

        upgrade()
        load_demo()
        db.session.commit()
    return app


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    if found is None:
        raise RuntimeError("no form token on the page")
    return found.group(1)


def start_journey(client) -> None:
    page = client.get(PAGES["intro"]).get_data(as_text=True)
    response = client.post(PAGES["intro"], data={"csrf_token": csrf(page), "agree": "y"})
    if response.status_code != 302:
        raise RuntimeError(f"consent answered {response.status_code}")
    page = client.get(f"/en/c/{SLUG}/q/1").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "stance": "agree", "text": "A lawyer who speaks my language."}
    client.post(f"/en/c/{SLUG}/q/1", data={**data, "action": "next"})


@contextmanager
def rendering_time() -> Iterator[list[float]]:
    """CPU seconds spent in Flask's template rendering while inside."""
    import flask.templating

    spent = [0.0]
    original = flask.templating._render

    def timed(*args, **kwargs):
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - began

    flask.templating._render = timed
    try:
        yield spent
    finally:
        flask.templating._render = original


@contextmanager
def counting_statements(engine) -> Iterator[list[tuple[str, float]]]:
    """Each statement sent while inside, with its time in ms."""
    sent: list[tuple[str, float]] = []
    started: list[float] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:
        started.append(time.perf_counter())

    def after(_conn, _cursor, statement, _params, _context, _many) -> None:
        sent.append((statement, (time.perf_counter() - started.pop()) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--page", choices=sorted(PAGES), default="question")
    parser.add_argument("--top", type=int, default=30, help="0: no profile, only the table")
    parser.add_argument("--database", help="a PostgreSQL URL (dropped and created); default SQLite")
    parser.add_argument("--statements", action="store_true", help="print each page's SQL")
    parser.add_argument("--journeys", type=int, default=0, help="time each step of N journeys")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="consult-profile-") as tmp:
        folder = Path(tmp)
        url = fresh_postgres(args.database) if args.database else f"sqlite:///{folder / 'p.db'}"
        app = build_app(url, folder)
        client = app.test_client()
        start_journey(client)
        with app.app_context():
            engine = db.engine
        print(f"database: {engine.dialect.name}")
        print("| page | SQL statements | SQL ms | CPU ms per request | of which rendering ms |")
        print("|---|---|---|---|---|")
        for name, path in PAGES.items():
            client.get(path)  # warm
            with counting_statements(engine) as sent:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            sql_ms = sum(ms for _statement, ms in sent)
            with rendering_time() as rendering:
                began = time.process_time()
                for _ in range(args.requests):
                    client.get(path)
                cpu_ms = (time.process_time() - began) * 1000 / args.requests
            render_ms = rendering[0] * 1000 / args.requests
            share = f"{render_ms:.2f} ({render_ms / cpu_ms:.0%})"
            print(f"| {name} | {len(sent)} | {sql_ms:.2f} | {cpu_ms:.2f} | {share} |")
            if args.statements:
                for statement, ms in sent:
                    print(f"    {ms:6.2f} ms  {' '.join(statement.split())[:150]}")

        if args.journeys:
            journey_steps(app, args.journeys)
        if args.top:
            profile(client, PAGES[args.page], args.requests, args.top)
        engine.dispose()


def journey_steps(app, journeys: int) -> None:
    """CPU time of each step of whole journeys through the test client (after 5 to warm up)."""
    from benchmarks.load import ANSWERS, STANCES

    steps: dict[str, list[float]] = {}

    def timed(step: str, send, *args, **kwargs):
        began = time.process_time()
        response = send(*args, **kwargs)
        steps.setdefault(step, []).append(time.process_time() - began)
        return response

    def walk(number: int) -> None:
        client = app.test_client()
        timed("home", client.get, "/en/")
        page = timed("intro", client.get, PAGES["intro"]).get_data(as_text=True)
        data = {"csrf_token": csrf(page), "agree": "y", "carry_position": "", "carry_stance": ""}
        where = timed("consent", client.post, PAGES["intro"], data=data).headers["Location"]
        while "/q/" in where:
            position = int(where.rsplit("/", 1)[1])
            page = timed("question GET", client.get, where).get_data(as_text=True)
            text = "" if position % 3 == 0 else ANSWERS[(number + position) % len(ANSWERS)]
            stance = STANCES[(number + position) % len(STANCES)]
            data = {"csrf_token": csrf(page), "stance": stance, "text": text, "action": "next"}
            where = timed("question POST", client.post, where, data=data).headers["Location"]
        page = timed("about GET", client.get, where).get_data(as_text=True)
        data = {"csrf_token": csrf(page), "action": "next"}
        where = timed("about POST", client.post, where, data=data).headers["Location"]
        page = timed("review GET", client.get, where).get_data(as_text=True)
        sent = timed("submit", client.post, where, data={"csrf_token": csrf(page)})
        if not sent.headers["Location"].endswith("/thanks"):
            raise RuntimeError(f"sending answered {sent.status_code}")
        timed("thanks", client.get, sent.headers["Location"])

    for number in range(5):
        walk(number)
    steps.clear()
    for number in range(journeys):
        walk(number)
    print(f"\n{journeys} journeys, CPU ms:")
    print("| step | per request (median) | per journey |")
    print("|---|---|---|")
    for step, values in steps.items():
        median = sorted(values)[len(values) // 2] * 1000
        print(f"| {step} | {median:.2f} | {sum(values) * 1000 / journeys:.1f} |")
    total = sum(sum(values) for values in steps.values())
    count = sum(len(values) for values in steps.values())
    print(f"| all | {total * 1000 / count:.2f} | {total * 1000 / journeys:.1f} |")


def profile(client, path: str, requests: int, top: int) -> None:
    """cProfile (CPU time) over `requests` GETs of `path`; the `top` functions, cumulative."""
    for _ in range(20):
        client.get(path)
    profiler = cProfile.Profile(time.process_time)
    began = time.process_time()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    elapsed = time.process_time() - began
    print(f"\n{requests} GETs of {path}: {elapsed * 1000 / requests:.2f} ms of CPU each, profiled")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
