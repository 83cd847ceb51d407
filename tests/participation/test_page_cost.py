"""What a participant page costs the database: a fixed, small number of SQL statements, whatever
the number of recommendations the consultation has and of answers the draft holds; and one
transaction for each form sent.

Statements are counted with a `before_cursor_execute` listener on the app's engine, around one
request. The bounds are what each page needs (docs/decisions.md, "Participant pages near the
ceiling"): a question page reads the consultation, the draft, the count, the one recommendation it
shows with its text and the draft's answer to it, all in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.consultations.demo import demo_languages
from consult.core.extensions import db
from consult.models import Recommendation, RecommendationText, Submission
from consult.participation import operations as participation
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, start

# The most statements each page may send; the same for 8 and for 40 recommendations (and answers).
BOUNDS = {
    "home": 2,  # the listed consultations; their texts in this language and the source language
    "intro": 2,  # the consultation with the draft and the count; its text
    "question": 1,  # the consultation, draft, count, the one recommendation, its text, the answer
    "about": 2,  # the consultation with the draft and the count; the draft's groups
    "review": 4,  # the consultation with the draft; its answers; all the ideas' texts; groups
}
PAGES = {
    "home": "/{lang}/",
    "intro": f"/{{lang}}/c/{SLUG}/",
    "question": f"/{{lang}}/c/{SLUG}/q/2",
    "about": f"/{{lang}}/c/{SLUG}/about",
    "review": f"/{{lang}}/c/{SLUG}/review",
}


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends while inside."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


@contextmanager
def counted_commits(app: Flask) -> Iterator[list[None]]:
    with app.app_context():
        engine = db.engine
    commits: list[None] = []

    def count(_conn) -> None:
        commits.append(None)

    sa.event.listen(engine, "commit", count)
    try:
        yield commits
    finally:
        sa.event.remove(engine, "commit", count)


def add_recommendations(app: Flask, how_many: int) -> int:
    """More recommendations at the end of the demo consultation, with text in every demo language;
    returns how many it has now."""
    with app.app_context():
        consultation = participation.get_open_consultation(SLUG)
        last = consultation.recommendations[-1]
        for position in range(last.position + 1, last.position + how_many + 1):
            recommendation = Recommendation(
                key=f"extra-{position}", position=position, section=last.section
            )
            recommendation.texts = [
                RecommendationText(
                    language=language,
                    title=f"Extra idea {position} ({language})",
                    explanation="An idea added to make the consultation longer.",
                    status="reviewed",  # participants see reviewed translations only
                )
                for language in demo_languages()
            ]
            consultation.recommendations.append(recommendation)
        db.session.commit()
        return len(consultation.recommendations)


def answer_everything(app: Flask) -> int:
    """Give the one draft an answer with text to every recommendation; returns how many."""
    with app.app_context():
        draft = db.session.scalars(sa.select(Submission)).one()
        recommendations = participation.get_open_consultation(SLUG).recommendations
        for recommendation in recommendations:
            participation.save_answer(
                draft, recommendation, "agree", f"Answer to {recommendation.key}.", "en"
            )
        db.session.commit()
        return len(recommendations)


def page_costs(browser: Browser, app: Flask, lang: str) -> dict[str, int]:
    costs = {}
    for name, path in PAGES.items():
        url = path.format(lang=lang)
        browser.get(url)  # once before, so nothing first-use is counted
        with counted_statements(app) as sent:
            page = browser.get(url)
        assert page.status == 200, (url, page.status)
        costs[name] = len(sent)
    return costs


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_participant_pages_send_a_fixed_number_of_statements(
    browser: Browser, demo_app: Flask, lang: str
) -> None:
    start(browser, lang)
    answer(browser, "agree", "A first answer.")
    assert answer_everything(demo_app) == 8
    with_eight = page_costs(browser, demo_app, lang)

    assert add_recommendations(demo_app, 32) == 40
    assert answer_everything(demo_app) == 40
    with_forty = page_costs(browser, demo_app, lang)

    assert with_forty == with_eight
    for name, bound in BOUNDS.items():
        assert with_eight[name] <= bound, (name, with_eight[name])
    # The pages still show what they showed: the count, the idea, every answer on the review.
    page = browser.get(f"/{lang}/c/{SLUG}/q/40")
    assert f"Extra idea 40 ({lang})" in page.text
    review = browser.get(f"/{lang}/c/{SLUG}/review")
    assert len(review.soup.select(".review-item")) == 40 + 1  # and "about you"
    assert "Answer to extra-40." in review.text


def test_a_question_page_shows_one_idea_in_the_source_language_when_untranslated(
    browser: Browser, demo_app: Flask
) -> None:
    """The one query a question page sends still finds the source-language text (marked as such)
    when the idea has none in the reader's language."""
    add_recommendations(demo_app, 1)
    with demo_app.app_context():
        extra = db.session.scalar(sa.select(Recommendation).where(Recommendation.position == 9))
        extra.texts = [t for t in extra.texts if t.language == "en"]
        db.session.commit()
    start(browser, "fa")
    page = browser.get(f"/fa/c/{SLUG}/q/9")
    assert page.status == 200
    assert "Extra idea 9 (en)" in page.text
    assert page.soup.select_one(".recommendation h1")["lang"] == "en"
    assert page.soup.find(class_="fallback-notice") is not None
    assert "۹" in page.soup.find(class_="progress-label").get_text()  # "9 of 9", Persian digits


def test_each_form_sent_is_one_transaction(browser: Browser, demo_app: Flask) -> None:
    browser.get(f"/en/c/{SLUG}/")
    with counted_commits(demo_app) as commits:
        browser.submit({"agree": "y"}, follow=False)
    assert len(commits) == 1
    browser.get(f"/en/c/{SLUG}/q/1")
    with counted_commits(demo_app) as commits:
        browser.submit({"stance": "agree", "text": "One answer."}, ("action", "next"), follow=False)
    assert len(commits) == 1
    with counted_commits(demo_app) as commits:
        browser.get(f"/en/c/{SLUG}/q/2")
    assert len(commits) == 0  # reading a page writes nothing


@contextmanager
def transaction_states(app: Flask) -> Iterator[list[bool]]:
    """For each statement the app sends while inside: whether the database connection runs it in a
    transaction (psycopg then sends BEGIN before it and COMMIT or ROLLBACK after)."""
    with app.app_context():
        engine = db.engine
    states: list[bool] = []

    def note(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
        states.append(not conn.connection.dbapi_connection.autocommit)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield states
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _postgresql_only(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's BEGIN and ROLLBACK stay in the process: no round trips to save")


def test_on_postgresql_a_page_only_read_sends_no_begin_or_rollback(
    browser: Browser, demo_app: Flask
) -> None:
    _postgresql_only(demo_app)
    start(browser, "ar")
    answer(browser, "agree", "جواب أول.")
    for name, path in PAGES.items():
        with transaction_states(demo_app) as states:
            page = browser.get(path.format(lang="ar"))
        assert page.status == 200, name
        assert states and not any(states), name
    browser.get(f"/ar/c/{SLUG}/q/2")
    with transaction_states(demo_app) as states:
        browser.submit({"stance": "disagree", "text": "لا."}, ("action", "next"), follow=False)
    assert states and all(states)  # a form sent: its reads and its write in one transaction
    with demo_app.app_context():
        assert len(db.session.scalars(sa.select(Submission)).one().responses) == 2


def test_on_postgresql_a_page_read_without_a_transaction_cannot_write(demo_app: Flask) -> None:
    """A write slipped into a participant GET is refused rather than committed piecemeal; a page
    that must write (closing a consultation past its date) ends the read first."""
    from consult.core.database import WriteWhileReading, end_read_only

    _postgresql_only(demo_app)
    touch = sa.update(Submission).where(Submission.id == -1).values(language="en")
    with demo_app.test_request_context(f"/en/c/{SLUG}/"):
        assert demo_app.preprocess_request() is None
        with pytest.raises(WriteWhileReading):
            db.session.execute(touch)
        db.session.rollback()
    with demo_app.test_request_context(f"/en/c/{SLUG}/"):
        demo_app.preprocess_request()
        db.session.scalar(sa.select(sa.func.count(Submission.id)))
        end_read_only()
        db.session.execute(touch)
        db.session.commit()


def test_the_language_menu_links_every_page_to_itself_in_each_language(
    browser: Browser, demo_app: Flask
) -> None:
    """The menu is rendered once per language and the page's address filled in (see
    `cached_language_menu`): each page still links to its own address in every language."""
    codes = demo_app.config["CONSULT_LANGUAGES"]
    start(browser, "fa")
    for path in (f"/c/{SLUG}/q/1", f"/c/{SLUG}/q/2?from=review&x=1", f"/c/{SLUG}/about", "/"):
        page = browser.get(f"/fa{path}")
        links = {a["hreflang"]: a["href"] for a in page.soup.select(".language-menu a")}
        assert links == {code: f"/{code}{path}" for code in codes}
        current = page.soup.select('.language-menu a[aria-current="true"]')
        assert [a["hreflang"] for a in current] == ["fa"]
    page = browser.get(f"/fa/c/{SLUG}/q/2?from=review&x=1")
    assert f'href="/ar/c/{SLUG}/q/2?from=review&amp;x=1"' in page.html  # escaped as before
    page = browser.get(f"/en/c/{SLUG}/q/1")
    assert (
        page.soup.select_one(".language-menu summary").get_text(" ", strip=True).endswith("English")
    )
    current = page.soup.select('.language-menu a[aria-current="true"]')
    assert [a["hreflang"] for a in current] == ["en"]
