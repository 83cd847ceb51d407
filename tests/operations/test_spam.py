"""Spam defences (consult/participation/spam.py): a honeypot and a minimum time on the page, on the
consent and "send my answers" forms. A stopped form stores nothing, the reply does not say why, a
person loses nothing, and the log line says what stopped it and nothing about who."""

from __future__ import annotations

import logging
import time
import types

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Submission
from consult.participation import spam
from tests.conftest import make_test_app
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, start

INTRO = f"/en/c/{SLUG}/"
BOT_TEXT = "buy-cheap-pills-here-xyz"


def count_submissions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Submission))


@pytest.fixture
def timed_app(demo_app: Flask) -> Flask:
    """The demo app with the minimum time switched on (tests switch it off by default)."""
    demo_app.config["CONSULT_SPAM_MIN_SECONDS"] = 3
    return demo_app


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every clock the check reads, `seconds` ahead."""
    now = time.time()
    monkeypatch.setattr(spam, "time", types.SimpleNamespace(time=lambda: now + seconds))


def test_the_honeypot_is_hidden_from_people_and_their_tools(browser: Browser) -> None:
    for page in (browser.get(INTRO),):
        trap = page.soup.find("input", attrs={"name": spam.HONEYPOT_FIELD})
        assert trap is not None
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
        wrapper = trap.find_parent("div")
        assert wrapper["aria-hidden"] == "true" and "form-trap" in wrapper["class"]
        label = page.soup.find("label", attrs={"for": trap["id"]})
        assert "Leave this field empty" in label.get_text()
        assert page.soup.find("input", attrs={"name": spam.STAMP_FIELD})["value"]


def test_a_filled_honeypot_on_consent_looks_like_success_and_stores_nothing(
    demo_app: Flask, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    browser.get(INTRO)
    with caplog.at_level(logging.INFO):
        page = browser.submit({"agree": "y", spam.HONEYPOT_FIELD: BOT_TEXT}, follow=False)
    assert page.status == 302
    assert page.response.headers["Location"].endswith(f"/en/c/{SLUG}/q/1")
    assert count_submissions(demo_app) == 0
    assert "spam defence: honeypot on consent" in caplog.text
    assert BOT_TEXT not in caplog.text and "127.0.0.1" not in caplog.text
    # The next page is the consent page again: there is no draft.
    assert browser.get(f"/en/c/{SLUG}/q/1").url == INTRO


def test_a_filled_honeypot_on_sending_deletes_the_draft_and_stores_no_answer(
    demo_app: Flask, browser: Browser
) -> None:
    start(browser)
    answer(browser, "agree", "a script's text")
    browser.get(f"/en/c/{SLUG}/review")
    page = browser.submit({spam.HONEYPOT_FIELD: "http://spam.example"}, follow=False)
    assert page.status == 302 and page.response.headers["Location"].endswith("/thanks")
    assert count_submissions(demo_app) == 0


def test_a_form_sent_too_soon_comes_back_unchanged_and_stores_nothing(
    timed_app: Flask, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.get(INTRO)
    page = browser.submit({"agree": "y"})
    assert page.status == 200 and page.url == INTRO  # the same page, no error, no message
    assert page.soup.find(class_="error-summary") is None
    assert count_submissions(timed_app) == 0
    # A person who read for a few seconds is let through with the page's fresh stamp.
    later(monkeypatch, 4)
    page = browser.submit({"agree": "y"})
    assert page.url.endswith("/q/1")
    assert count_submissions(timed_app) == 1


def test_sending_answers_too_soon_keeps_them_to_send_again(
    timed_app: Flask, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.get(INTRO)
    later(monkeypatch, 4)
    browser.submit({"agree": "y"})
    answer(browser, "agree", "we need lawyers")
    monkeypatch.undo()
    browser.get(f"/en/c/{SLUG}/review")
    page = browser.submit()
    assert page.url.endswith("/review") and "we need lawyers" in page.text
    later(monkeypatch, 4)
    page = browser.submit()
    assert page.url.endswith("/thanks")
    with timed_app.app_context():
        states = db.session.scalars(sa.select(Submission.state)).all()
    assert states == ["submitted"]


@pytest.mark.parametrize("stamp", ["", "garbage", "forged.stamp.value"])
def test_a_missing_or_forged_stamp_counts_as_too_soon(
    timed_app: Flask, browser: Browser, monkeypatch: pytest.MonkeyPatch, stamp: str
) -> None:
    browser.get(INTRO)
    later(monkeypatch, 60)
    page = browser.submit({"agree": "y", spam.STAMP_FIELD: stamp})
    assert page.url == INTRO
    assert count_submissions(timed_app) == 0


def test_a_stamp_made_for_another_form_does_not_pass(timed_app: Flask) -> None:
    with timed_app.test_request_context():
        stamp = spam.form_stamp("send")
        assert spam.seconds_since_shown(stamp, "consent", now=time.time() + 60) is None
        age = spam.seconds_since_shown(stamp, "send", now=time.time() + 60)
        assert age is not None and 59 <= age <= 61


def test_stops_are_counted(demo_app: Flask, browser: Browser) -> None:
    before = spam.stopped_counts().get(spam.HONEYPOT, 0)
    for _ in range(3):
        browser.get(INTRO)
        browser.submit({"agree": "y", spam.HONEYPOT_FIELD: "x"})
    assert spam.stopped_counts()[spam.HONEYPOT] == before + 3
    assert count_submissions(demo_app) == 0


def test_the_minimum_time_is_two_seconds_unless_set(database_url: str) -> None:
    production = make_test_app(
        database_url, TESTING=False, CONSULT_EXTERNAL_URL="http://consult.example.org"
    )
    assert production.config["CONSULT_SPAM_MIN_SECONDS"] == 2
    assert make_test_app(database_url).config["CONSULT_SPAM_MIN_SECONDS"] == 0
    assert (
        make_test_app(database_url, CONSULT_SPAM_MIN_SECONDS="5").config["CONSULT_SPAM_MIN_SECONDS"]
        == 5
    )
