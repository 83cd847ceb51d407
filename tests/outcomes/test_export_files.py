"""Large exports built in the background (consult/outcomes/export_files.py): above the threshold
(set low here) the XLSX button asks for a file, a job builds it (in-process after the response, or
on RQ with Redis), the export page lists it with its status and a download button, and the file
opens with openpyxl holding exactly the approved, redacted answers. Only the person who asked may
download it, the one with the original texts only as an admin; files expire; everything is on the
audit record."""

from __future__ import annotations

import io
import json
import os
import stat
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from consult import jobs
from consult.core.extensions import db
from consult.models import AuditEvent, ExportFile, ExportFileStatus
from consult.outcomes.export_files import JOB, expire_export_files, stored_path
from tests.outcomes.test_exports import FORMULA, REDACTED, SECRETS, answers  # noqa: F401
from tests.support.browser import Browser, Page
from tests.support.factories import staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in

EXPORT = f"/staff/c/{SLUG}/export"
EXPORTED = ("formula", "redacted", "arabic", "stance_only")


@pytest.fixture
def large(demo_app: Flask, answers: dict[str, int]) -> dict[str, int]:  # noqa: F811
    """The answers of tests/outcomes/test_exports.py, with "large" meaning more than 2."""
    demo_app.config["EXPORT_JOB_ANSWERS"] = 2
    return answers


def ask_for(browser: Browser, path: str) -> Page:
    """Press the export button whose form posts to `path`; follows the redirect back."""
    browser.get(EXPORT)
    return browser.submit(action_contains=path)


def download_button(page: Page) -> str:
    form = page.soup.find("form", attrs={"action": lambda a: a and "/export/files/" in a})
    assert form is not None, page.text
    return form["action"]


def fetch(browser: Browser, action: str) -> tuple[int, bytes, dict[str, str]]:
    token = browser.get(EXPORT).soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = browser.client.post(action, data={"csrf_token": token}, buffered=False)
    body = b"".join(response.response)
    response.close()
    return response.status_code, body, dict(response.headers)


def export_files(app: Flask) -> list[ExportFile]:
    with app.app_context():
        rows = db.session.scalars(sa.select(ExportFile).order_by(ExportFile.id)).all()
        db.session.expunge_all()
        return list(rows)


def answer_rows(body: bytes) -> tuple[list[dict], object]:
    workbook = load_workbook(io.BytesIO(body))
    header, *rows = [list(r) for r in workbook["Answers"].iter_rows(values_only=True)]
    return [dict(zip(header, row, strict=True)) for row in rows], workbook


def assert_only_approved_redacted(body: bytes, answers: dict[str, int], full: bool) -> None:  # noqa: F811
    cells, workbook = answer_rows(body)
    assert {c["answer_id"] for c in cells} == {answers[k] for k in EXPORTED}
    by_id = {c["answer_id"]: c for c in cells}
    assert by_id[answers["formula"]]["text"] == "'" + FORMULA
    assert by_id[answers["redacted"]]["text"] == REDACTED
    assert ("original_text" in cells[0]) is full
    hidden = SECRETS if not full else ("PENDING-SECRET", "REJECTED-SECRET", "SAFEGUARDING-SECRET")
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not any(secret in cell.value for secret in hidden)


# --- in-process (no Redis) ----------------------------------------------------------------------


def test_a_large_xlsx_export_is_built_in_the_background_and_downloaded_from_the_page(
    demo_app: Flask,
    large: dict[str, int],
) -> None:
    organiser = log_in(demo_app, "org@example.org")
    page = ask_for(organiser, f"{EXPORT}/answers.xlsx")
    assert page.url == EXPORT
    assert "The file is being prepared." in page.text
    # The job ran in this process once the redirect's response had been sent: the page that the
    # redirect led to already lists the file as ready (a page showing it queued would refresh).
    [file] = export_files(demo_app)
    assert file.status == ExportFileStatus.READY and file.answers == 4 and not file.full
    assert file.expires_at - file.requested_at == timedelta(hours=24)
    page = organiser.get(EXPORT)
    assert 'http-equiv="refresh"' not in page.html
    assert "Ready" in page.text and file.filename in page.text
    assert "4 answers" in page.text

    path = stored_path(file, demo_app.instance_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert file.stored_name not in page.html  # the name on disk is never shown
    status, body, headers = fetch(organiser, download_button(page))
    assert status == 200
    assert headers["Content-Disposition"] == f'attachment; filename="{file.filename}"'
    assert headers["Cache-Control"] == "no-store"
    assert_only_approved_redacted(body, large, full=False)
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Answers", "Recommendations", "Stances"]

    with demo_app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.startswith("export."))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.actor_label, e.new_state) for e in events] == [
            (
                "export.answers",
                "org@example.org",
                {"format": "xlsx", "with_original_texts": False, "answers": 4, "file": file.id},
            ),
            (
                "export.file_downloaded",
                "org@example.org",
                {"file": file.id, "format": "xlsx", "with_original_texts": False, "answers": 4},
            ),
        ]
        assert "Karim" not in json.dumps([e.new_state for e in events])


def test_small_exports_and_csv_are_still_downloaded_directly(
    demo_app: Flask,
    large: dict[str, int],
) -> None:
    demo_app.config["EXPORT_JOB_ANSWERS"] = 4  # exactly 4 answers: not more than the threshold
    organiser = log_in(demo_app, "org@example.org")
    organiser.get(EXPORT)
    response = organiser.client.post(
        f"{EXPORT}/answers.xlsx", data={"csrf_token": csrf(organiser)}, buffered=False
    )
    assert response.status_code == 200 and response.is_streamed
    response.close()
    demo_app.config["EXPORT_JOB_ANSWERS"] = 0  # always in the background, but only XLSX
    response = organiser.client.post(f"{EXPORT}/answers.csv", data={"csrf_token": csrf(organiser)})
    assert response.status_code == 200
    assert "answer_id" in response.get_data(as_text=True)
    assert export_files(demo_app) == []


def csrf(browser: Browser) -> str:
    return browser.get(EXPORT).soup.find("input", attrs={"name": "csrf_token"})["value"]


def test_only_the_requester_downloads_and_originals_only_as_admin(
    demo_app: Flask,
    large: dict[str, int],
) -> None:
    admin = log_in(demo_app, "admin@example.org")
    page = ask_for(admin, f"{EXPORT}/answers-with-originals.xlsx")
    [file] = export_files(demo_app)
    assert file.full and file.status == ExportFileStatus.READY
    assert "-answers-with-originals-" in file.filename
    action = download_button(admin.get(EXPORT))
    status, body, _headers = fetch(admin, action)
    assert status == 200
    assert_only_approved_redacted(body, large, full=True)
    cells, _workbook = answer_rows(body)
    assert {c["answer_id"]: c["original_text"] for c in cells}[large["redacted"]].startswith(
        "Call my brother Karim"
    )

    # An organiser neither sees the admin's file nor can download it with a forged form.
    organiser = log_in(demo_app, "org@example.org")
    page = organiser.get(EXPORT)
    assert file.filename not in page.text and "Your prepared files" not in page.text
    assert fetch(organiser, action)[0] == 403
    # A moderator or translator is refused at the door; a signed-out visitor is sent to log in.
    staff_member(demo_app, "mod2@example.org", "moderator")
    moderator = log_in(demo_app, "mod2@example.org")
    assert moderator.get(EXPORT).status == 403
    demo_app.config["WTF_CSRF_ENABLED"] = False
    refused = moderator.client.post(action)
    assert refused.status_code == 403 and b"answer_id" not in refused.get_data()
    anonymous = demo_app.test_client().post(action)
    assert anonymous.status_code in (302, 403) and b"answer_id" not in anonymous.get_data()
    demo_app.config["WTF_CSRF_ENABLED"] = True

    # Another organiser's ordinary file is not someone else's to download either.
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    organisers_file = export_files(demo_app)[-1]
    staff_member(demo_app, "org2@example.org", "organiser")
    colleague = log_in(demo_app, "org2@example.org")
    assert "Your prepared files" not in colleague.get(EXPORT).text
    assert fetch(colleague, f"{EXPORT}/files/{organisers_file.id}")[0] == 404
    with demo_app.app_context():
        downloads = db.session.scalars(
            sa.select(AuditEvent.actor_label).where(AuditEvent.action == "export.file_downloaded")
        ).all()
        assert downloads == ["admin@example.org"]


def test_expired_files_are_deleted_with_their_rows(
    demo_app: Flask,
    large: dict[str, int],
) -> None:
    organiser = log_in(demo_app, "org@example.org")
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    first, second = export_files(demo_app)
    paths = [stored_path(f, demo_app.instance_path) for f in (first, second)]
    assert all(p.is_file() for p in paths)
    action = download_button(organiser.get(EXPORT))

    # The purge command deletes what has expired: here, the first file, made a day old.
    with demo_app.app_context():
        db.session.get(ExportFile, first.id).expires_at -= timedelta(hours=24)
        db.session.commit()
    runner = demo_app.test_cli_runner()
    assert runner.invoke(args=["purge", "--dry-run"]).exit_code == 0
    assert paths[0].is_file(), "a dry run deletes nothing"
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert not paths[0].exists() and paths[1].is_file()
    assert [f.id for f in export_files(demo_app)] == [second.id]

    # The export page deletes expired files too, so a site without the purge timer keeps none;
    # the form of a page shown before expiry no longer downloads anything.
    with demo_app.app_context():
        db.session.get(ExportFile, second.id).expires_at -= timedelta(hours=24)
        db.session.commit()
    status, body, _headers = fetch(organiser, action)
    assert status == 404 and b"answer_id" not in body
    assert not paths[1].exists()
    assert export_files(demo_app) == []
    assert "Your prepared files" not in organiser.get(EXPORT).text


def test_a_file_that_cannot_be_built_is_marked_failed(
    demo_app: Flask, large: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import consult.outcomes.export_files as module

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(module, "write_answers_xlsx", broken)
    organiser = log_in(demo_app, "org@example.org")
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    [file] = export_files(demo_app)
    assert file.status == ExportFileStatus.FAILED
    page = organiser.get(EXPORT)
    assert "The file could not be built." in page.text
    assert page.soup.find("form", attrs={"action": lambda a: a and "/files/" in a}) is None
    assert list(Path(demo_app.instance_path, "exports").iterdir()) == []


# --- RQ on the real Redis -----------------------------------------------------------------------


@pytest.fixture
def rq_app(
    demo_app: Flask,
    app_factory,
    answers: dict[str, int],  # noqa: F811
    redis_url: str,
) -> Iterator[Flask]:
    """The test's database through an app with Redis configured and a queue of its own."""
    name = f"consult-test-{uuid.uuid4().hex}"
    app = app_factory(CONSULT_REDIS_URL=redis_url, JOBS_QUEUE=name, EXPORT_JOB_ANSWERS=2)
    client = redis.Redis.from_url(redis_url)
    try:
        yield app
    finally:
        for key in client.scan_iter(f"rq:*{name}*"):
            client.delete(key)
        for key in client.scan_iter("rq:job:*"):
            if name.encode() in (client.hget(key, "origin") or b""):
                client.delete(key)
        client.srem("rq:queues", f"rq:queue:{name}")
        for member in client.smembers("rq:workers"):
            if name in member.decode():
                client.srem("rq:workers", member)
        client.close()
        jobs._redis(app).close()


def test_with_redis_the_file_is_built_by_a_worker(
    rq_app: Flask,
    answers: dict[str, int],  # noqa: F811
) -> None:
    from rq import SimpleWorker

    organiser = log_in(rq_app, "org@example.org")
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    [file] = export_files(rq_app)
    assert file.status == ExportFileStatus.QUEUED
    with rq_app.app_context():
        queue = jobs.queue_for(rq_app)
        [job] = [j for j in queue.jobs if j.args and j.args[0] == JOB]
        assert job.args == (JOB, file.id)
    page = organiser.get(EXPORT)
    assert 'http-equiv="refresh" content="10"' in page.html
    assert "Waiting to be built" in page.text
    assert page.soup.find("form", attrs={"action": lambda a: a and "/files/" in a}) is None

    with rq_app.app_context():
        worker = SimpleWorker([queue], connection=queue.connection, name=f"{queue.name}-w")
        worker.work(burst=True)
    [file] = export_files(rq_app)
    assert file.status == ExportFileStatus.READY
    page = organiser.get(EXPORT)
    assert 'http-equiv="refresh"' not in page.html
    status, body, _headers = fetch(organiser, download_button(page))
    assert status == 200
    assert_only_approved_redacted(body, answers, full=False)


def test_expiry_outside_a_request(demo_app: Flask, large: dict[str, int]) -> None:
    organiser = log_in(demo_app, "org@example.org")
    ask_for(organiser, f"{EXPORT}/answers.xlsx")
    [file] = export_files(demo_app)
    with demo_app.app_context():
        later = file.expires_at + timedelta(seconds=1)
        assert expire_export_files(demo_app.instance_path, now=later, dry_run=True) == 1
        assert expire_export_files(demo_app.instance_path, now=file.expires_at - timedelta(1)) == 0
        assert expire_export_files(demo_app.instance_path, now=later) == 1
        db.session.commit()
    assert export_files(demo_app) == []
    assert not stored_path(file, demo_app.instance_path).exists()
