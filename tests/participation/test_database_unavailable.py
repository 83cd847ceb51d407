"""When the database is busy past its timeout or down, a participant's text comes back to them: the
same form, what they typed, a message in their language, 503 with Retry-After; the logs never
hold the text."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from consult.core import database
from consult.core.extensions import db
from consult.models import Response
from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start

TYPED = "Nobody told us where the office is. لم يخبرنا أحد أين المكتب."
MESSAGE = "We could not save this just now. Nothing you typed is lost"
# Nothing listens on port 1: the connection is refused at once.
REFUSING_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/consult?connect_timeout=1"


@pytest.fixture
def lockable_app(
    database_url: str, app_factory: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """The demo on SQLite, with a busy timeout of a tenth of a second."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the lock is SQLite's; PostgreSQL's failure is a refused connection")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    app = app_factory()
    from consult.consultations.demo import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    return app


@contextmanager
def locked(app: Flask) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a long write elsewhere would)."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def _assert_given_back(
    page: Page, field: str, action: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert page.status == 503, page.text
    assert page.response.headers["Retry-After"] == "30"
    assert MESSAGE in page.text
    box = page.soup.find("textarea", attrs={"name": field})
    assert box is not None and box.get_text() == TYPED
    assert page.form().get("action") == action
    assert TYPED not in caplog.text and "لم يخبرنا" not in caplog.text
    assert "OperationalError" in caplog.text


def _saved_texts(app: Flask) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Response.text)))


def _session_ended_page(app: Flask) -> tuple[Browser, Page]:
    """The consent page that carries an answer typed when the session had ended."""
    phone = Browser(app.test_client())
    start(phone)
    question = phone.page
    fresh = Browser(app.test_client())
    fresh.get(f"/en/c/{SLUG}/")
    token = fresh.page.field_value("csrf_token")
    fresh.page = question
    page = fresh.submit(
        {"stance": "partly", "text": TYPED, "csrf_token": token}, button=("action", "next")
    )
    assert page.status == 409
    return fresh, page


def _on(app: Flask, phone: Browser) -> Browser:
    """The same phone (its cookies, the page it shows) talking to another app."""
    other = Browser(app.test_client())
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = phone.client.get_cookie(name)
    assert cookie is not None
    other.client.set_cookie(name, cookie.value)
    other.page = phone.page
    return other


# --- SQLite locked past its busy timeout ---------------------------------------------------------


def test_a_locked_database_gives_the_answer_back(
    lockable_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone = Browser(lockable_app.test_client())
    start(phone)
    with locked(lockable_app):
        page = answer(phone, "agree", TYPED)
    _assert_given_back(page, "text", f"/en/c/{SLUG}/q/1", caplog)
    assert "Idea 1 of 8" in page.text and page.checked("stance") == ["agree"]
    assert _saved_texts(lockable_app) == []

    page = phone.submit()  # once the database is free again
    assert page.status == 200 and page.url == f"/en/c/{SLUG}/q/2"
    assert _saved_texts(lockable_app) == [TYPED]


def test_a_locked_database_keeps_the_answer_carried_on_the_consent_page(
    lockable_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone, _page = _session_ended_page(lockable_app)
    with locked(lockable_app):
        page = phone.submit({"agree": "y"})
    _assert_given_back(page, "carry_text", f"/en/c/{SLUG}/", caplog)
    assert _saved_texts(lockable_app) == []

    page = phone.submit()
    assert page.url == f"/en/c/{SLUG}/q/2"
    assert _saved_texts(lockable_app) == [TYPED]


# --- PostgreSQL refusing connections -------------------------------------------------------------


def test_a_database_refusing_connections_gives_the_answer_back(
    demo_app: Flask, app_factory: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    down = app_factory(SQLALCHEMY_DATABASE_URI=REFUSING_DATABASE)
    phone = Browser(demo_app.test_client())
    start(phone)
    page = answer(_on(down, phone), "agree", TYPED)
    _assert_given_back(page, "text", f"/en/c/{SLUG}/q/1", caplog)

    phone.page = page  # the database is back: "send again" reaches the working app
    page = phone.submit()
    assert page.status == 200 and page.url == f"/en/c/{SLUG}/q/2"
    assert _saved_texts(demo_app) == [TYPED]


def test_a_database_refusing_connections_keeps_the_answer_carried_on_the_consent_page(
    demo_app: Flask, app_factory: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    down = app_factory(SQLALCHEMY_DATABASE_URI=REFUSING_DATABASE)
    phone, _page = _session_ended_page(demo_app)
    page = _on(down, phone).submit({"agree": "y"})
    _assert_given_back(page, "carry_text", f"/en/c/{SLUG}/", caplog)

    phone.page = page
    page = phone.submit()
    assert page.url == f"/en/c/{SLUG}/q/2"
    assert TYPED in _saved_texts(demo_app)


def test_a_page_that_cannot_load_says_to_try_again_later(
    app_factory: Callable[..., Flask],
) -> None:
    down = app_factory(SQLALCHEMY_DATABASE_URI=REFUSING_DATABASE)
    response = down.test_client().get(f"/en/c/{SLUG}/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
