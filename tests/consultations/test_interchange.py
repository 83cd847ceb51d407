"""Import and export of a consultation as one YAML or JSON file, through the real pages: the
round trip on the demo, the demo loaded from its file, and every bad file (too large, malformed,
not following the schema, an invalid language code, a duplicate slug) refused with the field and
line named, the right status, and nothing changed."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask

from consult.consultations.document import MAX_DOCUMENT_BYTES
from consult.core.extensions import db
from consult.models import AuditEvent, Consultation, Recommendation, RecommendationOutcome
from tests.consultations.support import SLUG, organiser, row_counts, upload
from tests.support.staff import audit_actions


def _export(browser, kind: str = "yaml") -> str:
    response = browser.client.get(f"/staff/c/{SLUG}/export.{kind}")
    assert response.status_code == 200
    assert f'filename="{SLUG}.{kind}"' in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_export_then_import_gives_the_same_consultation(demo_app: Flask, kind: str) -> None:
    with demo_app.app_context():  # an outcome and a review mark travel too
        rec = db.session.scalar(sa.select(Recommendation).where(Recommendation.position == 1))
        db.session.add(
            RecommendationOutcome(
                recommendation_id=rec.id,
                language="en",
                heard="Most agreed.",
                will_do="We will fund lawyers.",
                status="reviewed",
                made_by="organiser@example.org",
            )
        )
        text = next(t for t in rec.texts if t.language == "fr")
        text.status, text.reviewed_by = "reviewed", "reviewer@example.org"
        text.reviewed_at = datetime(2027, 1, 2, 10, 30)
        db.session.commit()
    browser = organiser(demo_app)
    exported = _export(browser, kind)
    doc = json.loads(exported) if kind == "json" else yaml.safe_load(exported)
    assert doc["format"] == "consult-consultation/1"
    assert len(doc["texts"]) == 14 and len(doc["recommendations"]) == 8
    assert doc["recommendations"][0]["texts"]["ar"]["title"]
    assert doc["recommendations"][0]["outcomes"]["en"]["will_do"] == "We will fund lawyers."
    assert doc["recommendations"][0]["texts"]["fr"]["reviewed_at"] == "2027-01-02T10:30:00"

    doc["slug"] = "copy-of-the-demo"
    body = json.dumps(doc) if kind == "json" else yaml.safe_dump(doc, allow_unicode=True)
    page = upload(browser, "/staff/c/import", f"copy.{kind}", body.encode())
    assert page.status == 200 and page.url == "/staff/c/copy-of-the-demo/languages"
    assert "copy-of-the-demo" in page.text

    again = browser.client.get(f"/staff/c/copy-of-the-demo/export.{kind}").get_data(as_text=True)
    copied = json.loads(again) if kind == "json" else yaml.safe_load(again)
    original = json.loads(exported) if kind == "json" else yaml.safe_load(exported)
    # The same consultation, except its address, and an organiser's import starts as a draft.
    assert copied.pop("slug") == "copy-of-the-demo" and original.pop("slug") == SLUG
    assert copied.pop("status") == "draft" and original.pop("status") == "open"
    assert copied == original
    assert "consultation.imported" in audit_actions(demo_app)
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "consultation.imported")
        )
        assert event.new_state["recommendations"] == 8 and event.new_state["format"] == kind


def test_the_demo_is_a_consultation_file_loaded_by_the_importer(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0 and "created" in result.output
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        assert consultation.slug == SLUG and consultation.status == "open"
        # Its 13 translations are drafts by people, shown to participants by choice.
        assert len(consultation.drafts_shown_languages) == 13
    again = app.test_cli_runner().invoke(args=["load-demo"])
    assert "nothing changed" in again.output
    # And participants see it in Pashto, not marked as a fallback nor as machine-made.
    client = app.test_client()
    page = client.get(f"/ps/c/{SLUG}/").get_data(as_text=True)
    assert 'lang="ps"' in page and "fallback-notice" not in page


BAD_YAML = b"""format: consult-consultation/1
slug: broken
source_language: en
texts:
  en:
    title: [unclosed
"""


def _document(**changes) -> dict:
    doc = {
        "format": "consult-consultation/1",
        "slug": "housing-2027",
        "source_language": "en",
        "texts": {"en": {"title": "Housing", "consent": "We keep answers two years."}},
        "recommendations": [
            {"key": "r1", "section": "main", "texts": {"en": {"title": "More homes"}}},
        ],
    }
    doc.update(changes)
    return doc


def _refused(app: Flask, filename: str, body: bytes, status: int) -> str:
    browser = organiser(app)
    before = row_counts(app)
    before.pop("audit_event")
    page = upload(browser, "/staff/c/import", filename, body)
    assert page.status == status, page.text
    after = row_counts(app)
    after.pop("audit_event")
    assert after == before
    assert "consultation.imported" not in audit_actions(app)
    return page.text


def test_a_malformed_file_names_its_line(demo_app: Flask) -> None:
    text = _refused(demo_app, "broken.yaml", BAD_YAML, 422)
    assert "Nothing was imported" in text and "line 7" in text


def test_a_missing_field_and_a_wrong_value_are_named_with_their_lines(demo_app: Flask) -> None:
    doc = yaml.safe_dump(_document(status="maybe"), sort_keys=False)
    doc = doc.replace("- key: r1\n", "- key: r1\n  stage: everywhere\n")
    doc = doc.replace("  section: main\n", "")
    text = _refused(demo_app, "bad.yaml", doc.encode(), 422)
    lines = doc.splitlines()
    status_line = next(i for i, line in enumerate(lines, 1) if line.startswith("status:"))
    stage_line = next(i for i, line in enumerate(lines, 1) if "stage: everywhere" in line)
    assert f"status (line {status_line})" in text
    assert f"recommendations[0].stage (line {stage_line})" in text
    assert "recommendations[0].section" in text and "This field is missing." in text


def test_an_invalid_language_code_is_refused(demo_app: Flask) -> None:
    doc = _document(working_languages=["en", "xx-notalanguage"])
    doc["texts"]["klingon"] = {"title": "x"}
    text = _refused(demo_app, "bad.json", json.dumps(doc, indent=2).encode(), 422)
    assert "working_languages[1]" in text and "texts" in text and "language code" in text


def test_a_duplicate_slug_is_refused(demo_app: Flask) -> None:
    doc = _document(slug=SLUG)
    text = _refused(demo_app, "dup.json", json.dumps(doc, indent=2).encode(), 422)
    assert "slug (line 3)" in text and "already uses" in text


def test_a_file_over_10_mb_is_refused_with_413(demo_app: Flask) -> None:
    body = b"# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 10)
    text = _refused(demo_app, "huge.yaml", body, 413)
    assert "10 MB" in text


def test_yaml_references_are_refused(demo_app: Flask) -> None:
    body = b"a: &x [1, 2]\nb: *x\n"
    text = _refused(demo_app, "bomb.yaml", body, 422)
    assert "References" in text


def test_a_valid_file_imports_as_a_draft_with_its_translations(demo_app: Flask) -> None:
    doc = _document()
    doc["texts"]["ar"] = {"title": "السكن", "status": "reviewed", "made_by": "t@example.org"}
    doc["recommendations"][0]["texts"]["ar"] = {"title": "مزيد من المنازل"}
    browser = organiser(demo_app)
    page = upload(browser, "/staff/c/import", "h.json", json.dumps(doc).encode())
    assert page.status == 200
    with demo_app.app_context():
        consultation = db.session.scalar(
            sa.select(Consultation).where(Consultation.slug == "housing-2027")
        )
        assert consultation.status == "draft"
        assert {t.language for t in consultation.recommendations[0].texts} == {"en", "ar"}
        assert consultation.recommendations[0].position == 1


def test_a_body_over_the_upload_limit_gets_the_import_page_with_413(demo_app: Flask) -> None:
    body = b"x" * (MAX_DOCUMENT_BYTES + 200 * 1024)
    text = _refused(demo_app, "huge.json", body, 413)
    assert "larger than 10 MB" in text


def test_other_forms_keep_the_small_limit(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    page = browser.get(f"/staff/c/{SLUG}/languages/fr/texts")
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = browser.client.post(
        f"/staff/c/{SLUG}/languages/fr/texts",
        data={"csrf_token": token, "title": "x" * (400 * 1024)},
    )
    assert response.status_code == 413
