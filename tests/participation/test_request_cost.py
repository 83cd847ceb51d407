"""What a participant's request costs besides the page's own read (docs/decisions.md, "Participant
pages: per-request work"): an answer saved is one write after the page's statement, a page only
read does not sign and send the session cookie again, and the radio buttons written by the macro
are those WTForms would write."""

from __future__ import annotations

from flask import Flask

from consult.participation.forms import AnswerForm
from tests.participation.test_page_cost import counted_statements
from tests.support.browser import Browser
from tests.support.journey import SLUG, start, submissions


def _verbs(statements: list[str]) -> list[str]:
    return [statement.split(None, 1)[0].upper() for statement in statements]


def test_saving_an_answer_reads_nothing_but_the_page(browser: Browser, demo_app: Flask) -> None:
    start(browser)  # the first question page
    with counted_statements(demo_app) as sent:
        page = browser.submit(
            {"stance": "agree", "text": "A lawyer who speaks my language."},
            ("action", "next"),
            follow=False,
        )
    assert page.status == 302
    verbs = _verbs(sent)
    # The page's one statement, the answer's INSERT (the draft's expiry too when the hour turned).
    assert verbs[0] == "SELECT" and verbs.count("SELECT") == 1, sent
    assert "INSERT" in verbs and len(verbs) <= 3
    [submission] = submissions(demo_app)
    [response] = submission.responses
    assert (response.stance, response.text) == ("agree", "A lawyer who speaks my language.")
    assert response.detected_language == "en"


def test_a_changed_answer_is_one_update(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    browser.submit({"stance": "agree", "text": "First."}, ("action", "next"))
    browser.get(f"/en/c/{SLUG}/q/1")
    with counted_statements(demo_app) as sent:
        page = browser.submit(
            {"stance": "disagree", "text": "Second."}, ("action", "next"), follow=False
        )
    assert page.status == 302
    verbs = _verbs(sent)
    assert verbs[0] == "SELECT" and verbs.count("SELECT") == 1, sent
    assert "UPDATE" in verbs and "INSERT" not in verbs and len(verbs) <= 3
    [submission] = submissions(demo_app)
    [response] = submission.responses
    assert (response.stance, response.text) == ("disagree", "Second.")


def test_a_page_read_does_not_send_the_session_cookie_again(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser)
    name = demo_app.config["SESSION_COOKIE_NAME"]

    def session_cookies(page) -> list[str]:
        return [c for c in page.response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]

    page = browser.get(f"/en/c/{SLUG}/q/1")
    assert page.status == 200
    assert session_cookies(page) == []
    # Saving renews the draft, and with it the cookie's expiry (it lives as long as the draft).
    page = browser.submit({"stance": "agree", "text": ""}, ("action", "next"), follow=False)
    [cookie] = session_cookies(page)
    assert "Expires=" in cookie
    assert browser.get(f"/en/c/{SLUG}/q/2").status == 200  # the same session, its draft


def test_the_radio_buttons_are_those_wtforms_writes(demo_app: Flask) -> None:
    with demo_app.test_request_context("/en/"):
        form = AnswerForm(formdata=None)
        for chosen in (None, "partly", "not_sure"):
            form.stance.data = chosen
            html = demo_app.jinja_env.from_string(
                '{% from "macros/forms.html" import radio_group %}{{ radio_group(f) }}'
            ).render(f=form.stance)
            for option in form.stance:
                assert str(option()) in html
                assert f'<label for="{option.id}"><span>{option.label.text}</span></label>' in html
