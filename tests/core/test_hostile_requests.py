"""Requests an attacker (or a broken link) can send never give a 500, always carry the security
headers, and never put participant text into the log.

The sweep walks the URL map, so a route added later is covered without touching this file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from consult.core import errors
from consult.core.extensions import db
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, start
from tests.support.staff import log_in, make_staff, submit_answers

SECRET_TEXT = "Zanzibar-unique-phrase-42"

# Keys that url_for would take as its own arguments, and numbers that str.isdigit() accepts but
# int() refuses ('²'), or that no database integer holds.
HOSTILE_QUERIES = [
    "endpoint=x&_method=POST&page=%C2%B2&selected=%C2%B2&_external=1&_anchor=x&lang=zz"
    "&consultation=%C2%B2&recommendation=%C2%B2&state=x&handled=x&since=x",
    "page=99999999999999999999&consultation=99999999999999999999&recommendation=-1",
    "page=%D9%A3&from=review&endpoint=x",  # an Arabic-Indic digit
]


@pytest.fixture
def answers(demo_app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Some answers waiting for moderation, and lists short enough to have several pages."""
    from consult.audit import views as audit_views
    from consult.moderation import views as moderation_views

    monkeypatch.setattr(moderation_views, "PAGE_SIZE", 1)
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 1)
    return submit_answers(demo_app, ["first answer", "second answer"])


def _get_urls(app: Flask, prefix: str, values: dict[str, object]) -> Iterator[str]:
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in (rule.methods or ()) and rule.endpoint.startswith(prefix):
                yield url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})


def _assert_safe(client: FlaskClient, url: str) -> None:
    for query in HOSTILE_QUERIES:
        with client.get(f"{url}?{query}") as response:
            assert response.status_code != 500, f"{url}?{query}"
            assert "Content-Security-Policy" in response.headers, f"{url}?{query}"


def test_no_participant_page_fails_on_a_hostile_query_string(demo_app: Flask, answers) -> None:
    browser = Browser(demo_app.test_client())
    start(browser)
    answer(browser, "agree", "typed")
    values = {
        "lang": "en",
        "slug": SLUG,
        "position": 1,
        "code": "ABCD-EFGH-2345",
        "filename": "consult.css",
    }
    prefixes = ("participation.", "root.", "static")
    urls = [url for prefix in prefixes for url in _get_urls(demo_app, prefix, values)]
    assert len(urls) > 10
    for url in urls:
        _assert_safe(browser.client, url)


def test_no_staff_page_fails_on_a_hostile_query_string(demo_app: Flask, answers) -> None:
    make_staff(demo_app, "admin@example.org", "admin")
    browser = log_in(demo_app, "admin@example.org")
    values = {"response_id": answers[0], "case_id": 1, "user_id": 1, "token": "x"}
    # The organisers' pages of a consultation (issues 11 and 12).
    values |= {"slug": SLUG, "lang": "en", "key": "legal-assistance", "position": 1}
    values |= {"rid": 1, "recommendation_id": 1, "kind": "yaml"}
    urls = list(_get_urls(demo_app, "staff.", values))
    assert "/staff/moderate/" in urls and "/staff/admin/audit" in urls
    for url in urls:
        _assert_safe(browser.client, url)
    # The queue's pager and bulk form are on the page, with the filters kept as text.
    page = browser.get("/staff/moderate/?endpoint=x&state=pending")
    assert page.status == 200
    next_page = page.soup.select_one('nav[aria-label="Pages"] a')["href"]
    assert next_page.startswith("/staff/moderate/?") and "endpoint=x" in next_page
    bulk = page.soup.find("form", action=lambda action: action and "bulk" in action)["action"]
    assert bulk.startswith("/staff/moderate/bulk?") and "endpoint=x" in bulk


def test_a_bulk_decision_with_odd_numbers_is_not_an_error(demo_app: Flask, answers) -> None:
    make_staff(demo_app, "mod@example.org", "moderator")
    browser = log_in(demo_app, "mod@example.org")
    browser.get("/staff/moderate/?endpoint=x")
    page = browser.submit(
        {"selected": ["²", "99999999999999999999", str(answers[0])]},
        button=("action", "approve"),
        action_contains="bulk",
    )
    assert page.status == 200, page.text
    assert "1 answer done" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/staff/moderate/2147483648",
        "/staff/moderate/99999999999999999999",
        "/staff/moderate/%D9%A3",  # an Arabic-Indic digit is not an id
        f"/en/c/{SLUG}/q/99999999999999999999",
    ],
)
def test_ids_no_database_integer_holds_are_not_found(demo_app: Flask, path: str) -> None:
    make_staff(demo_app, "mod@example.org", "moderator")
    response = log_in(demo_app, "mod@example.org").client.get(path)
    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/xx/c/a%0d%0aSet-Cookie:%20planted=1/",
        "/xx/c/a%0aLocation:%20https://evil.example/",
        "/xx/%E2%80%AE/r/%00",
        "/xx//evil.example/",
    ],
)
def test_a_redirected_language_path_cannot_inject_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path + "?q=%0d%0aX-Injected:%201")
    assert response.status_code in (302, 404)
    assert not any("planted" in cookie for cookie in response.headers.getlist("Set-Cookie"))
    assert "X-Injected" not in response.headers
    location = response.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location
    assert location == "" or (location.startswith("/en/") and not location.startswith("//"))
    assert "Content-Security-Policy" in response.headers


def test_a_failing_error_page_falls_back_and_logs_no_participant_text(
    demo_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A database error quotes its parameters (participant text); an error while showing the error
    page chains to it. Neither message may reach the log, and the person still gets a page."""
    from consult.participation import operations as participation

    def locked(_submission, _recommendation, _stance, text, _language):
        try:
            db.session.execute(sa.text("INSERT INTO no_such_table VALUES (:text)"), {"text": text})
        except sa.exc.DBAPIError as error:
            raise RuntimeError(f"cannot store {text!r}") from error

    def broken_template(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError(f"template failed while showing {SECRET_TEXT}")

    demo_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: Flask logs, not raises
    monkeypatch.setattr(participation, "save_answer", locked)
    caplog.set_level(logging.DEBUG)
    browser = Browser(demo_app.test_client())
    start(browser)
    monkeypatch.setattr(errors, "render_template", broken_template)
    page = answer(browser, "agree", SECRET_TEXT)
    assert page.status == 500
    assert "Something went wrong on our side" in page.text
    assert page.soup.find("html")["lang"] == "en"
    assert "Content-Security-Policy" in page.response.headers
    assert "RuntimeError" in caplog.text and "DBAPIError" not in SECRET_TEXT
    assert SECRET_TEXT not in caplog.text
    # No exception message at all, not even the database's (SQLite's, then PostgreSQL's).
    assert "no such table" not in caplog.text and "does not exist" not in caplog.text


def test_the_fallback_page_is_in_the_page_language(
    demo_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_template(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(errors, "render_template", broken_template)
    page = Browser(demo_app.test_client()).get("/ar/c/no-such-consultation/")
    assert page.status == 404
    assert page.soup.find("html")["lang"] == "ar" and page.soup.find("html")["dir"] == "rtl"
    assert "We could not find this page" not in page.text  # translated
    assert "Content-Security-Policy" in page.response.headers


def test_an_exception_escaping_flask_still_gets_a_page_with_headers(
    demo_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The last line of defence: even when every handler fails (here, the error handlers
    themselves), the WSGI server never sees an exception and the browser gets the headers."""

    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError(f"handler failed on {SECRET_TEXT}")

    monkeypatch.setattr(errors, "error_page", broken)
    monkeypatch.setattr(errors, "fallback_page", broken)
    caplog.set_level(logging.DEBUG)
    response = demo_app.test_client().get("/en/c/no-such-consultation/")
    assert response.status_code == 500
    assert "Content-Security-Policy" in response.headers
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert SECRET_TEXT not in caplog.text


def test_database_errors_and_statement_logs_never_quote_parameters(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with app.app_context():
        db.session.execute(sa.text("SELECT :text"), {"text": SECRET_TEXT})
        with pytest.raises(sa.exc.DBAPIError) as raised:
            db.session.execute(sa.text("INSERT INTO no_such_table VALUES (:t)"), {"t": SECRET_TEXT})
        db.session.rollback()
    assert SECRET_TEXT not in str(raised.value)
    assert "SELECT" in caplog.text, "the statement log was on"
    assert SECRET_TEXT not in caplog.text
