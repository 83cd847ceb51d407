"""The language status grid, the side-by-side editor with its review mark, the drafts-shown
choice and what participants then see, through the real pages (CSRF included)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Consultation, Recommendation, RecommendationText
from tests.consultations.support import ORGANISER, SLUG, organiser
from tests.support.staff import audit_actions


def _set(app: Flask, **values) -> None:
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        for name, value in values.items():
            setattr(consultation, name, value)
        db.session.commit()


def _machine_draft(app: Flask, language: str, key: str, title: str) -> None:
    """A provider's draft, as consult.translation.content stores it."""
    with app.app_context():
        rec = db.session.scalar(sa.select(Recommendation).where(Recommendation.key == key))
        for row in list(rec.texts):
            if row.language == language:
                rec.texts.remove(row)
        db.session.flush()
        rec.texts.append(
            RecommendationText(
                language=language, title=title, status="draft", made_by="machine:libretranslate"
            )
        )
        db.session.commit()


def test_grid_shows_each_text_in_each_language(demo_app: Flask) -> None:
    _machine_draft(demo_app, "fr", "legal-assistance", "Traduction automatique")
    with demo_app.app_context():
        rec = db.session.scalar(
            sa.select(Recommendation).where(Recommendation.key == "consult-migrants")
        )
        rec.texts.remove(next(t for t in rec.texts if t.language == "so"))
        db.session.commit()
    browser = organiser(demo_app)
    page = browser.get(f"/staff/c/{SLUG}/languages")
    assert page.status == 200
    table = page.soup.select_one("table.language-grid")
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert "English (en) source" in headers[1]
    rows = {tr.th.get_text(strip=True): tr for tr in table.select("tbody tr")}
    first = next(tr for label, tr in rows.items() if "lawyer" in label)
    cells = [td.get_text(" ", strip=True) for td in first.select("td")]
    assert cells[0] == "Reviewed"  # English, the source
    codes = [th.select_one("span.code").get_text() for th in table.select("thead th")[1:]]
    assert cells[codes.index("(fr)")].startswith("Machine draft")
    assert cells[codes.index("(ar)")].startswith("Human draft")
    second = next(tr for label, tr in rows.items() if "ask migrants" in label)
    assert second.select("td")[codes.index("(so)")].get_text(" ", strip=True).startswith("Missing")
    # Right-to-left names carry their direction.
    assert table.select_one("thead th span[lang=ar]")["dir"] == "rtl"


def test_side_by_side_editor_saves_a_draft_then_a_review_mark(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    page = browser.get(f"/staff/c/{SLUG}/languages/ar/r/legal-assistance")
    assert page.status == 200
    source = page.soup.select_one(".side-by-side .source")
    assert source["lang"] == "en" and source["dir"] == "ltr"
    box = page.soup.find("textarea", attrs={"name": "title"})
    assert box["lang"] == "ar" and box["dir"] == "rtl"
    page = browser.submit({"title": "عنوان جديد"}, button=("action", "save"))
    assert page.status == 200 and "Human draft" in page.text
    page = browser.submit({}, button=("action", "review"))
    assert "Reviewed" in page.text and f"reviewed by {ORGANISER}" in page.text
    with demo_app.app_context():
        row = db.session.scalar(
            sa.select(RecommendationText).where(
                RecommendationText.language == "ar", RecommendationText.title == "عنوان جديد"
            )
        )
        assert row.status == "reviewed" and row.reviewed_by == ORGANISER
        assert row.reviewed_at is not None and row.made_by == ORGANISER
    actions = audit_actions(demo_app)
    assert "content.translation_saved" in actions and "content.translation_reviewed" in actions
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "content.translation_saved")
        )
        assert event.new_state["fields"] == ["title"] and "عنوان" not in str(event.new_state)


def test_an_empty_title_is_refused_and_what_was_typed_is_kept(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    browser.get(f"/staff/c/{SLUG}/languages/fr/texts")
    page = browser.submit({"title": "", "summary": "Mon résumé"}, button=("action", "save"))
    assert page.status == 422
    assert "Write the title in this language." in page.text
    assert page.soup.find("textarea", attrs={"name": "summary"}).get_text() == "Mon résumé"


def test_a_racing_edit_is_shown_not_overwritten(demo_app: Flask) -> None:
    first = organiser(demo_app)
    second = organiser(demo_app, "second@example.org")
    first.get(f"/staff/c/{SLUG}/languages/fr/r/legal-assistance")
    second.get(f"/staff/c/{SLUG}/languages/fr/r/legal-assistance")
    assert second.submit({"title": "Version deux"}, button=("action", "save")).status == 200
    page = first.submit({"title": "Version un"}, button=("action", "save"))
    assert page.status == 409
    assert "Version deux" in page.text  # theirs, shown
    assert page.soup.find("textarea", attrs={"name": "title"}).get_text() == "Version un"
    # Sending again replaces theirs, knowingly.
    page = first.submit({}, button=("action", "save"))
    assert page.status == 200
    with demo_app.app_context():
        titles = db.session.scalars(
            sa.select(RecommendationText.title).where(RecommendationText.language == "fr")
        ).all()
        assert "Version un" in titles and "Version deux" not in titles


def test_participants_see_drafts_only_where_the_organiser_chose(demo_app: Flask) -> None:
    _machine_draft(demo_app, "fr", "legal-assistance", "Brouillon de machine")
    _set(demo_app, drafts_shown_languages=[])
    participant = demo_app.test_client()

    def first_question(lang: str) -> str:
        participant.get(f"/{lang}/c/{SLUG}/")
        token_page = participant.get(f"/{lang}/c/{SLUG}/").get_data(as_text=True)
        token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        participant.post(f"/{lang}/c/{SLUG}/", data={"csrf_token": token, "agree": "y"})
        return participant.get(f"/{lang}/c/{SLUG}/q/1").get_data(as_text=True)

    page = first_question("fr")
    assert "Brouillon de machine" not in page and "lawyer" in page  # the source, marked
    assert "fallback-notice" in page

    browser = organiser(demo_app)
    browser.get(f"/staff/c/{SLUG}/languages")
    page = browser.submit({"languages": ["fr", "ar"]}, action_contains="drafts")
    assert page.status == 200
    assert "content.drafts_shown_changed" in audit_actions(demo_app)

    page = participant.get(f"/fr/c/{SLUG}/q/1").get_data(as_text=True)
    assert "Brouillon de machine" in page and "machine-notice" in page
    # Arabic drafts were made by people: shown, with no machine label.
    page = first_question("ar")
    assert "machine-notice" not in page and 'lang="ar"' in page


def test_the_source_language_opens_the_authoring_page(demo_app: Flask) -> None:
    browser = organiser(demo_app)
    page = browser.get(f"/staff/c/{SLUG}/languages/en/texts")
    assert page.status == 200 and "source language" in page.text
    assert page.soup.find("a", string="Edit the source texts")["href"].endswith("/texts")
    assert browser.client.get(f"/staff/c/{SLUG}/languages/xx/texts").status_code == 404
