"""The public results page: only once published, in the reader's language with the visible
fallback to the source language, right to left for Arabic, stance shares without small groups;
and the receipt page's link to it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.outcomes import operations
from consult.vocab import ConsultationStatus
from tests.outcomes.support import consultation, set_status, staff, write_outcomes
from tests.support.browser import Browser
from tests.support.factories import staff_member, submission
from tests.support.journey import SLUG

RESULTS = f"/{{lang}}/c/{SLUG}/results"
ARABIC_HEARD = "سمعنا أن المحامين المجانيين ضروريون."
ARABIC_WILL_DO = "سنموّل مكاتب المساعدة القانونية."


def publish(app: Flask) -> None:
    set_status(app, ConsultationStatus.CLOSED)
    write_outcomes(app)
    with app.app_context():
        operations.publish(consultation(), staff("org@example.org"))
        db.session.commit()


@pytest.fixture
def organised(demo_app: Flask) -> Flask:
    staff_member(demo_app, "org@example.org", "organiser")
    return demo_app


def test_results_exist_only_once_published(organised: Flask) -> None:
    client = organised.test_client()
    url = RESULTS.format(lang="en")
    assert client.get(url).status_code == 404  # open
    set_status(organised, ConsultationStatus.CLOSED)
    write_outcomes(organised)
    assert client.get(url).status_code == 404  # closed, outcome written, not published
    with organised.app_context():
        operations.publish(consultation(), staff("org@example.org"))
        db.session.commit()
    page = Browser(client).get(url)
    assert page.status == 200
    assert page.soup.title.get_text().startswith("Results ·")
    assert "We heard about idea 1." in page.text and "We will act on idea 8." in page.text
    assert client.get("/en/c/no-such-consultation/results").status_code == 404


def test_arabic_results_are_right_to_left_with_marked_fallbacks(organised: Flask) -> None:
    app = organised
    publish(app)
    with app.app_context():
        first = operations.visible_recommendations(consultation())[0]
        operations.save_outcome_translation(
            staff("org@example.org"), first, "ar", ARABIC_HEARD, ARABIC_WILL_DO
        )
        db.session.commit()
    page = Browser(app.test_client()).get(RESULTS.format(lang="ar"))
    assert page.status == 200
    html = page.soup.find("html")
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    first_article, second_article = page.soup.find_all("article")[:2]
    # The first recommendation's outcome in Arabic, marked as Arabic, right to left.
    arabic = [d for d in first_article.find_all("div", class_="prose")]
    assert [(d["lang"], d["dir"]) for d in arabic] == [("ar", "rtl"), ("ar", "rtl")]
    assert ARABIC_HEARD in first_article.get_text() and ARABIC_WILL_DO in first_article.get_text()
    assert first_article.find(class_="fallback-notice") is None or "fallback-notice" not in str(
        first_article.find("h3").find_next("p", class_="fallback-notice") or ""
    )
    # The second's outcome is only in English: shown in English, marked, left to right.
    english = second_article.find_all("div", class_="prose")
    assert [(d["lang"], d["dir"]) for d in english] == [("en", "ltr"), ("en", "ltr")]
    assert "We heard about idea 2." in second_article.get_text()
    assert second_article.find(class_="fallback-notice") is not None
    # The recommendation's own title is in Arabic (the demo has it).
    assert second_article.find("h2")["lang"] == "ar"


def test_unknown_language_redirects_and_the_menu_keeps_the_page(organised: Flask) -> None:
    publish(organised)
    client = organised.test_client()
    response = client.get(RESULTS.format(lang="xx"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{SLUG}/results")
    page = Browser(client).get(RESULTS.format(lang="fr"))
    links = {a["hreflang"]: a["href"] for a in page.soup.select(".language-list a")}
    assert links["ar"] == RESULTS.format(lang="ar")


def test_stance_shares_hide_small_groups(organised: Flask) -> None:
    app = organised
    for _ in range(10):
        submission(app, [""], stance="agree")
    for _ in range(5):
        submission(app, [""], stance="disagree")
    publish(app)
    page = Browser(app.test_client()).get(RESULTS.format(lang="en"))
    first, second = page.soup.find_all("article")[:2]
    shares = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in first.find("table").find_all("tr")
    }
    assert shares == {
        "I agree": "67%",
        "I partly agree": "0%",
        "I disagree": "33%",
        "I am not sure": "0%",
    }
    assert "15 people" in first.find("caption").get_text()
    # Nobody answered the second idea: no shares at all.
    assert "Fewer than 5 people chose an answer" in second.get_text()
    assert second.find("th") is None


def test_one_person_is_never_singled_out(organised: Flask) -> None:
    app = organised
    for _ in range(6):
        submission(app, [""], stance="agree")
    submission(app, [""], stance="disagree")
    publish(app)
    page = Browser(app.test_client()).get(RESULTS.format(lang="en"))
    first = page.soup.find("article")
    shares = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in first.find("table").find_all("tr")
    }
    assert shares["I disagree"] == "<5"
    # With 7 in total and zeros shown, 6 agreeing would give the one who disagreed away.
    assert shares["I agree"] not in ("86%", "6")
    assert "14%" not in first.get_text()


def test_receipt_page_links_to_the_results_once_published(organised: Flask) -> None:
    app = organised
    sent = submission(app, ["Free lawyers please"])
    client = app.test_client()

    def receipt_page() -> Browser:
        browser = Browser(client)
        browser.get("/en/r/")
        browser.submit({"code": sent.receipt})
        return browser

    before = receipt_page().page
    assert before.status == 200
    assert before.soup.find("a", href=RESULTS.format(lang="en")) is None
    publish(app)
    after = receipt_page().page
    link = after.soup.find("a", href=RESULTS.format(lang="en"))
    assert link is not None
    assert Browser(client).get(link["href"]).status == 200


def test_results_page_reads_a_bounded_number_of_statements(organised: Flask) -> None:
    """The page groups counts in the database: the same statements for 1 or 20 participants."""
    app = organised
    publish(app)

    def statements() -> int:
        with app.app_context():
            engine = db.engine
        seen: list[str] = []

        def count(*_args: object) -> None:
            seen.append("x")

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert app.test_client().get(RESULTS.format(lang="fr")).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = statements()
    set_status(app, ConsultationStatus.OPEN)
    for _ in range(20):
        submission(app, ["", "", ""], stance="agree")
    set_status(app, ConsultationStatus.PUBLISHED)
    assert statements() == few
