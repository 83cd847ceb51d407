"""Machine drafts asked for from the language grid: made by the configured provider (a fake
LibreTranslate server here), stored as unreviewed machine drafts, shown as such in the grid, and
never in place of a person's text; without a provider the grid says machine translation is off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Recommendation, RecommendationText
from tests.consultations.support import SLUG, organiser
from tests.support.staff import audit_actions
from tests.translation.fake_libretranslate import FakeLibreTranslate


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        server.languages["en"] = ["fr", "ar", "de"]
        yield server


@pytest.fixture
def translating(demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate) -> Flask:
    return app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=libretranslate.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
    )


def test_machine_drafts_from_the_grid_are_labelled(translating: Flask) -> None:
    with translating.app_context():  # French texts missing, but for one a person wrote
        rows = db.session.scalars(
            sa.select(RecommendationText)
            .join(RecommendationText.recommendation)
            .where(RecommendationText.language == "fr")
            .order_by(Recommendation.position)
        ).all()
        kept = rows[0]  # the first recommendation's
        kept.title, kept.made_by = "Écrit par une personne", "translator@example.org"
        for row in rows[1:]:
            db.session.delete(row)
        db.session.commit()
    browser = organiser(translating)
    page = browser.get(f"/staff/c/{SLUG}/languages")
    assert "Missing" in page.text
    page = browser.submit(action_contains="/languages/fr/machine")
    assert page.status == 200
    assert "content.machine_drafts_requested" in audit_actions(translating)
    with translating.app_context():
        drafts = db.session.scalars(
            sa.select(RecommendationText).where(RecommendationText.language == "fr")
        ).all()
        assert len(drafts) == 8
        assert sorted(d.made_by for d in drafts) == ["machine:libretranslate"] * 7 + [
            "translator@example.org"
        ]
        assert "Écrit par une personne" in {d.title for d in drafts}
        assert {d.status for d in drafts} == {"draft"}
    page = browser.get(f"/staff/c/{SLUG}/languages")
    table = page.soup.select_one("table.language-grid")
    codes = [th.select_one("span.code").get_text() for th in table.select("thead th")[1:]]
    french = [
        tr.select("td")[codes.index("(fr)")].get_text(" ", strip=True)
        for tr in table.select("tbody tr")
    ]
    assert french[6].startswith("Human draft") and french[-1].startswith("Machine draft")
    # The editor says so too.
    page = browser.get(f"/staff/c/{SLUG}/languages/fr/r/no-child-detention")
    assert "This is a machine draft" in page.text


def test_without_a_provider_the_grid_says_so(demo_app: Flask) -> None:
    page = organiser(demo_app).get(f"/staff/c/{SLUG}/languages")
    assert "Machine translation is off on this site" in page.text
    assert page.soup.find("form", action=lambda a: a and a.endswith("/machine")) is None
