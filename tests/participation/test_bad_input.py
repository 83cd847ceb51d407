"""Every kind of bad input gets a clear page with a fitting status code; typed text is kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.core.timeutil import today
from consult.models import Consultation, Response
from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start, submissions


def _set_consultation(app: Flask, **values: object) -> None:
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
        for name, value in values.items():
            setattr(consultation, name, value)
        db.session.commit()


def test_over_long_text_is_refused_but_kept_in_the_box(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    long_text = "Legal help matters. " * 101  # 2,020 characters
    page = answer(browser, "agree", long_text)
    assert page.status == 422
    assert page.url == f"/en/c/{SLUG}/q/1"
    assert "the limit is 2,000" in page.text
    assert page.field_value("text") == long_text
    assert page.soup.find("textarea")["aria-invalid"] == "true"
    assert page.checked("stance") == ["agree"]
    with demo_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_text_of_exactly_the_limit_is_accepted(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    page = answer(browser, "agree", "x" * 2000)
    assert page.status == 200 and page.url == f"/en/c/{SLUG}/q/2"


def test_empty_final_submission_is_refused(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    answer(browser, None, "   ")
    browser.get(f"/en/c/{SLUG}/review")
    page = browser.submit()
    assert page.status == 422
    assert "There is nothing to send yet" in page.text
    [draft] = submissions(demo_app)
    assert draft.state == "draft"


def test_missing_csrf_token_keeps_the_typed_text(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    typed = "Children must never be locked up. لا للاحتجاز"
    page = browser.submit(
        {"stance": "agree", "text": typed, "csrf_token": None}, button=("action", "next")
    )
    assert page.status == 400
    assert "Please send this again" in page.text
    assert page.field_value("text") == typed
    # One press on "Send again" (a fresh token is in the page) saves the answer and moves on.
    page = browser.submit()
    assert page.status == 200 and page.url == f"/en/c/{SLUG}/q/2"
    [draft] = submissions(demo_app)
    assert draft.responses[0].text == typed and draft.responses[0].stance == "agree"


def test_lost_session_asks_consent_again_and_keeps_the_answer(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser)
    page = browser.page
    # The phone drops its cookies (or the 48 hours pass) while the person is typing.
    fresh = Browser(demo_app.test_client())
    fresh.get(f"/en/c/{SLUG}/")  # gets its own session and CSRF token
    token = fresh.page.field_value("csrf_token")
    fresh.page = page
    typed = "My family has waited four years."
    page = fresh.submit(
        {"stance": "partly", "text": typed, "csrf_token": token}, button=("action", "next")
    )
    assert page.status == 409
    assert "Your session had ended" in page.text
    assert page.field_value("carry_text") == typed
    page = fresh.submit({"agree": "y"})
    assert page.url == f"/en/c/{SLUG}/q/2"
    drafts = [s for s in submissions(demo_app) if s.responses]
    assert len(drafts) == 1
    assert drafts[0].responses[0].text == typed and drafts[0].responses[0].stance == "partly"


def test_unknown_consultation_is_404(browser: Browser) -> None:
    page = browser.get("/en/c/no-such-thing/")
    assert page.status == 404
    assert "We could not find this page" in page.text


def test_closed_consultation_says_so(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    _set_consultation(demo_app, status="closed")
    page = browser.get(f"/en/c/{SLUG}/q/1")
    assert page.status == 410
    assert "This consultation is closed" in page.text
    assert "Leave no migrant or refugee behind" in page.text


def test_consultation_past_its_closing_date_is_closed(browser: Browser, demo_app: Flask) -> None:
    _set_consultation(demo_app, closes_on=today() - timedelta(days=1))
    assert browser.get(f"/en/c/{SLUG}/").status == 410
    assert "Leave no migrant" not in browser.get("/en/").text


def test_draft_consultation_is_not_visible(browser: Browser, demo_app: Flask) -> None:
    _set_consultation(demo_app, status="draft")
    assert browser.get(f"/en/c/{SLUG}/").status == 404


def test_wrong_receipt_code_is_404_and_keeps_what_was_typed(browser: Browser) -> None:
    browser.get("/en/r/")
    page = browser.submit({"code": "ABCD-EFGH-2345"})
    assert page.status == 404
    assert "We could not find answers with this code" in page.text
    assert page.field_value("code") == "ABCD-EFGH-2345"


def test_malformed_receipt_code_in_the_form(browser: Browser) -> None:
    browser.get("/en/r/")
    page = browser.submit({"code": "hello"})
    assert page.status == 422
    assert "does not look like a receipt code" in page.text
    assert page.field_value("code") == "hello"


def _look_up(browser: Browser, code: str) -> Page:
    browser.get("/en/r/")
    return browser.submit({"code": code})


def test_receipt_lookups_are_rate_limited(browser: Browser) -> None:
    # Per receipt code; the looser limit per address is in tests/core/test_proxies_and_headers.py.
    statuses = [_look_up(browser, "ABCD-EFGH-2345").status for _ in range(11)]
    assert statuses[:10] == [404] * 10
    assert statuses[10] == 429
    assert "Too many tries" in browser.page.text


def test_control_and_bidi_override_characters_are_stripped(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser)
    answer(browser, "agree", "safe\u202e txet desrever\u202c\x07 end\u200f")
    [draft] = submissions(demo_app)
    assert draft.responses[0].text == "safe txet desrever end\u200f"


def test_invalid_stance_value_is_refused(browser: Browser) -> None:
    start(browser)
    page = answer(browser, "strongly", "text kept")
    assert page.status == 422
    assert "Please choose one of the answers shown" in page.text
    assert page.field_value("text") == "text kept"


def test_unknown_language_redirects_to_a_supported_one(browser: Browser) -> None:
    response = browser.client.get(f"/xx/c/{SLUG}/?a=1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/en/c/{SLUG}/?a=1"
