"""The factory, the database set-up and the commands (settings: test_settings.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from consult import create_app
from consult.core.extensions import db
from consult.core.instance_setup import ensure_secret_key
from consult.core.timeutil import utcnow
from consult.models import Consultation, ConsultationText, Recommendation, Submission
from tests.support.browser import Browser
from tests.support.factories import draft_answers, submitted_answers
from tests.support.journey import answer, start, submissions


def test_make_run_writes_a_secret_once(tmp_path) -> None:
    config = tmp_path / "instance" / "config.py"
    assert ensure_secret_key(config) is True
    first = config.read_text()
    assert "SECRET_KEY = " in first and len(first) > 60
    assert ensure_secret_key(config) is False
    assert config.read_text() == first
    assert oct(config.stat().st_mode)[-3:] == "600"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
        }
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_migrations_match_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_load_demo_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["load-demo"])
    assert first.exit_code == 0 and "created" in first.output

    def snapshot() -> list[tuple]:
        rows = []
        for model in (Consultation, ConsultationText, Recommendation):
            for row in db.session.scalars(sa.select(model)):
                rows.append(
                    tuple(
                        sorted((k, str(v)) for k, v in vars(row).items() if not k.startswith("_"))
                    )
                )
        return sorted(rows)

    with app.app_context():
        before = snapshot()
    second = runner.invoke(args=["load-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    with app.app_context():
        assert snapshot() == before


def test_demo_has_the_seed_recommendations_with_sections_and_stages(demo_app: Flask) -> None:
    with demo_app.app_context():
        [consultation] = db.session.scalars(sa.select(Consultation)).all()
        recs = consultation.recommendations
        assert [r.position for r in recs] == list(range(1, 9))
        assert [r.section for r in recs].count("recommendations") == 5
        assert [(r.section, r.stage) for r in recs][5:] == [
            ("phases", "origin"),
            ("phases", "transit"),
            ("phases", "destination"),
        ]
        english = {r.key: next(t for t in r.texts if t.language == "en").title for r in recs}
        assert "lawyer" in english["legal-assistance"]
        assert "locked up" in english["no-child-detention"]


def test_demo_keeps_text_that_staff_edited(demo_app: Flask) -> None:
    from consult.consultations.demo import load_demo

    with demo_app.app_context():
        text = db.session.scalar(
            sa.select(ConsultationText).where(ConsultationText.language == "en")
        )
        text.title = "Edited by an organiser"
        text.made_by = "organiser@example.org"
        db.session.commit()
        report = load_demo()
        db.session.commit()
        assert not report.changed
        assert db.session.get(ConsultationText, text.id).title == "Edited by an organiser"


def test_purge_drafts_removes_only_expired_drafts(demo_app: Flask) -> None:
    old = draft_answers(demo_app, ["old draft"])
    draft_answers(demo_app, ["fresh draft"])
    submitted_answers(demo_app, ["sent long ago"])
    with demo_app.app_context():
        db.session.get(Submission, old).draft_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = demo_app.test_cli_runner().invoke(args=["purge-drafts"])
    assert result.exit_code == 0 and "Purged 1" in result.output
    remaining = submissions(demo_app)
    assert sorted(s.responses[0].text for s in remaining) == ["fresh draft", "sent long ago"]


def test_draft_expiry_is_48_hours_rounded_to_the_hour(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    [draft] = submissions(demo_app)
    assert draft.draft_expires_at.minute == 0 and draft.draft_expires_at.second == 0
    hours = (draft.draft_expires_at - utcnow()).total_seconds() / 3600
    assert 48 <= hours <= 49


def test_submission_has_no_column_for_ip_agent_location_or_time_of_day() -> None:
    columns = {c.name for c in Submission.__table__.columns}
    for forbidden in ("ip", "ip_address", "remote_addr", "user_agent", "location", "latitude"):
        assert forbidden not in columns
    date_columns = {c.name for c in Submission.__table__.columns if isinstance(c.type, sa.DateTime)}
    assert date_columns == {"draft_expires_at"}  # cleared at submission; see the test below


def test_submitted_row_keeps_only_dates(demo_app: Flask) -> None:
    submitted_answers(demo_app, ["x"])
    [submission] = submissions(demo_app)
    assert submission.draft_expires_at is None
    assert type(submission.submitted_on).__name__ == "date"


def test_logs_never_contain_participant_text(browser: Browser, demo_app: Flask, caplog) -> None:
    secret_text = "Zanzibar-unique-phrase-42"
    caplog.set_level(logging.DEBUG)
    start(browser)
    answer(browser, "agree", secret_text)
    answer(browser, "agree", secret_text * 200)  # too long: refused, re-shown
    browser.submit({"csrf_token": None}, button=("action", "next"))  # CSRF failure
    assert secret_text not in caplog.text


def test_unexpected_error_page_is_friendly_and_logs_no_request_text(
    demo_app: Flask, caplog, monkeypatch
) -> None:
    from consult.participation import operations as participation

    def broken(_submission, _recommendation, _stance, text, _language):
        raise RuntimeError(f"cannot store {text!r}")  # as a database error quotes its parameters

    monkeypatch.setattr(participation, "save_answer", broken)
    browser = Browser(demo_app.test_client())
    start(browser)
    page = answer(browser, "agree", "Zanzibar-unique-phrase-42")
    assert page.status == 500
    assert "Something went wrong on our side" in page.text
    assert "RuntimeError" in caplog.text
    assert "Zanzibar" not in caplog.text


def test_pages_load_nothing_from_elsewhere_and_are_not_cached(browser: Browser) -> None:
    page = browser.get("/en/c/leave-no-migrant-behind/")
    headers = page.response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    # No page refers to another site: every src and href is on this origin.
    for element in page.soup.find_all(["link", "script", "img", "a", "form"]):
        url = element.get("href") or element.get("src") or element.get("action") or ""
        assert not url.startswith(("http:", "https:", "//")), url
