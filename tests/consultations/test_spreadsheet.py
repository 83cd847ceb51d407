"""Recommendations from a spreadsheet (XLSX or CSV), through the real form: new ones added with
their translations, existing ones given translations, and every bad file refused whole."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Flask
from openpyxl import Workbook

from consult.core.extensions import db
from consult.models import Recommendation, RecommendationText
from tests.consultations.support import SLUG, organiser, row_counts, upload
from tests.support.staff import audit_actions

URL = f"/staff/c/{SLUG}/languages/import"


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_adds_recommendations_with_their_languages(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    content = _xlsx(
        [
            ["key", "section", "stage", "title:en", "explanation:en", "title:ar", "title:ps"],
            [
                "housing",
                "recommendations",
                "destination",
                "Homes for all",
                "Why",
                "منازل",
                "کورونه",
            ],
            ["legal-assistance", "", "", "", "", "محامٍ مجاني", ""],
        ]
    )
    page = upload(browser, URL, "recs.xlsx", content)
    assert page.status == 200 and "1 new recommendations, 1 updated" in page.text
    with demo_app.app_context():
        rec = db.session.scalar(sa.select(Recommendation).where(Recommendation.key == "housing"))
        assert rec.position == 9 and rec.stage == "destination"
        assert {t.language: t.title for t in rec.texts} == {
            "en": "Homes for all",
            "ar": "منازل",
            "ps": "کورونه",
        }
        arabic = db.session.scalar(
            sa.select(RecommendationText).where(RecommendationText.title == "محامٍ مجاني")
        )
        assert arabic.status == "draft"
    assert "recommendations.imported" in audit_actions(demo_app)


def test_csv_works_too(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    content = b"title:en,title:fr\nClean water,Eau propre\n"
    page = upload(browser, URL, "recs.csv", content)
    assert page.status == 200
    with demo_app.app_context():
        assert db.session.scalar(
            sa.select(RecommendationText).where(RecommendationText.title == "Eau propre")
        )


def _refused(app: Flask, filename: str, content: bytes, status: int = 422) -> str:
    browser = organiser(app)
    before = row_counts(app)
    page = upload(browser, URL, filename, content)
    assert page.status == status, page.text
    assert row_counts(app) == before
    return page.text


def test_a_missing_column_is_refused(demo_app: Flask) -> None:
    text = _refused(demo_app, "r.csv", b"title:fr\nEau\n")
    assert "title:en" in text and "This column is missing" in text


def test_an_invalid_language_code_is_refused(demo_app: Flask) -> None:
    text = _refused(demo_app, "r.csv", b"title:en,title:zz9\nWater,x\n")
    assert "title:zz9" in text and "(line 1)" in text


def test_one_bad_row_imports_nothing(demo_app: Flask) -> None:
    content = b"title:en,stage\nGood one,all\nBad one,everywhere\n"
    text = _refused(demo_app, "r.csv", content)
    assert "stage (line 3)" in text


def test_a_file_that_is_not_a_workbook_is_refused(demo_app: Flask) -> None:
    text = _refused(demo_app, "r.xlsx", b"not a zip file at all")
    assert "not a readable XLSX" in text
