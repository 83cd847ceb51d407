"""The parts of question pages rendered once per worker (consult/participation/fragments.py) are
exactly what the page renders without them: every question page, in an RTL and an LTR language,
with and without a choice made, coming from the review, with a form error, and after an
organiser's edit of the text (shown at once)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Recommendation, RecommendationText
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, start

_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+(")')


def _both_ways(browser: Browser, app: Flask, url: str) -> tuple[str, str]:
    """The page rendered from the cache (after a first rendering that fills it) and uncached."""
    app.config["CONSULT_FRAGMENT_CACHE"] = True
    browser.get(url)
    cached = browser.get(url)
    app.config["CONSULT_FRAGMENT_CACHE"] = False
    plain = browser.get(url)
    app.config["CONSULT_FRAGMENT_CACHE"] = True
    assert cached.status == plain.status == 200, url
    # The form token is signed with the time: the same token, but not always the same text.
    return _TOKEN.sub(r"\1…\2", cached.html), _TOKEN.sub(r"\1…\2", plain.html)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_cached_question_pages_are_the_pages_rendered_without_the_cache(
    browser: Browser, demo_app: Flask, lang: str
) -> None:
    start(browser, lang)
    answer(browser, "agree", "نعم" if lang == "ar" else "Yes.")  # idea 1 answered: a radio checked
    answer(browser, None, "")
    with demo_app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(Recommendation.id)))
    for position in range(1, total + 1):
        for query in ("", "?from=review"):
            cached, plain = _both_ways(browser, demo_app, f"/{lang}/c/{SLUG}/q/{position}{query}")
            assert cached == plain, (position, query)
    page = browser.get(f"/{lang}/c/{SLUG}/q/1")
    assert page.soup.select_one('input[name="stance"][value="agree"]').has_attr("checked")
    assert page.soup.select_one("html")["dir"] == ("rtl" if lang == "ar" else "ltr")


def test_a_page_with_a_form_error_is_the_same_with_the_cache(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser, "fa")
    pages = {}
    for cache in (True, False):
        demo_app.config["CONSULT_FRAGMENT_CACHE"] = cache
        browser.get(f"/fa/c/{SLUG}/q/2")
        page = browser.submit({"stance": "sideways", "text": "x"}, ("action", "next"))
        assert page.status == 400 or page.soup.select_one(".error-summary") is not None
        pages[cache] = _TOKEN.sub(r"\1…\2", page.html)
    demo_app.config["CONSULT_FRAGMENT_CACHE"] = True
    assert pages[True] == pages[False]


def test_an_edit_of_an_idea_shows_at_once(browser: Browser, demo_app: Flask) -> None:
    start(browser, "en")
    url = f"/en/c/{SLUG}/q/2"
    before = browser.get(url)
    with demo_app.app_context():
        text = db.session.scalar(
            sa.select(RecommendationText)
            .join(Recommendation)
            .where(Recommendation.position == 2, RecommendationText.language == "en")
        )
        old_title = text.title
        text.title = "Free lawyers & interpreters <for everyone>"
        db.session.commit()
    assert old_title in before.text
    after = browser.get(url)
    assert "Free lawyers & interpreters <for everyone>" in after.text  # escaped in the HTML
    assert old_title not in after.text
    cached, plain = _both_ways(browser, demo_app, url)
    assert cached == plain


def test_a_translated_label_is_keyed_by_its_message_not_translated_for_each_page() -> None:
    from flask_babel import lazy_gettext

    from consult.participation.fragments import _frozen

    same = _frozen([lazy_gettext("Agree"), lazy_gettext("Agree")])
    assert same[0] == same[1]
    assert _frozen(lazy_gettext("Agree")) != _frozen(lazy_gettext("Disagree"))
    with_number = lazy_gettext("Idea %(num)s of %(total)s", num=1, total=8)
    assert _frozen(with_number) != _frozen(
        lazy_gettext("Idea %(num)s of %(total)s", num=2, total=8)
    )


def test_the_pages_form_token_is_written_as_wtforms_writes_it(demo_app: Flask) -> None:
    from consult.participation.forms import AnswerForm

    with demo_app.test_request_context(f"/en/c/{SLUG}/q/1"):
        expected = str(AnswerForm().csrf_token)
        written = str(demo_app.jinja_env.get_template("macros/forms.html").module.form_token())
    assert written == expected
