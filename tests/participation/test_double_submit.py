"""A double click (or a second tab) sends the same form twice: one submission, one code that works,
and no error for an answer saved twice at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from consult.core.config import draft_lifetime
from consult.core.extensions import db
from consult.models import Response, Submission
from consult.participation import operations as participation
from tests.support.browser import Browser, Page, form_data
from tests.support.journey import SLUG, answer, start, submissions

TEXT = "Interpreters at the border, please."
REVIEW = f"/en/c/{SLUG}/review"


def _twin(app: Flask, client: FlaskClient) -> FlaskClient:
    """The same phone's cookies in another client: what a second click (or tab) sends."""
    twin = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    twin.set_cookie(name, cookie.value)
    return twin


def _together(
    monkeypatch: Any, name: str, before: Callable[..., None] = lambda *args: None
) -> None:
    """Make two requests meet inside the operation `name`, after both have read the draft."""
    barrier = threading.Barrier(2, timeout=30)
    real = getattr(participation, name)

    def meeting(*args: Any, **kwargs: Any) -> Any:
        before(*args)
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(participation, name, meeting)


def _post_at_once(
    clients: list[FlaskClient], url: str, bodies: list[list[tuple[str, str]]], follow: bool
) -> list[TestResponse]:
    results: list[Any] = [None] * len(clients)

    def send(index: int) -> None:
        results[index] = clients[index].post(
            url, data=MultiDict(bodies[index]), follow_redirects=follow
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, TestResponse) for r in results), results
    return results


def _code_on(response: TestResponse) -> str:
    page = Page(response.request.path, response)
    assert page.url == f"/en/c/{SLUG}/thanks", (page.status, page.url)
    found = page.soup.select_one(".receipt-code")
    assert found is not None, page.text
    return found.get_text(strip=True)


def _works(app: Flask, code: str) -> bool:
    other = Browser(app.test_client())  # another phone, later
    other.get("/en/r/")
    page = other.submit({"code": code})
    return page.status == 200 and TEXT in page.text


def _ready_to_send(browser: Browser) -> list[tuple[str, str]]:
    start(browser)
    answer(browser, "agree", TEXT)
    return form_data(browser.get(REVIEW).form())


def test_two_sends_of_one_draft_at_the_same_moment_give_one_working_code(
    browser: Browser, demo_app: Flask, monkeypatch: Any
) -> None:
    body = _ready_to_send(browser)
    clients = [browser.client, _twin(demo_app, browser.client)]
    _together(monkeypatch, "submit")
    responses = _post_at_once(clients, REVIEW, [body, body], follow=True)
    codes = [_code_on(r) for r in responses]
    assert codes[0] == codes[1]
    [sent] = submissions(demo_app)
    assert sent.state == "submitted"
    assert [r.moderation_state for r in sent.responses if r.text] == ["pending"]
    assert _works(demo_app, codes[0])


def test_a_second_send_after_the_first_one_finished_shows_the_same_code(
    browser: Browser, demo_app: Flask
) -> None:
    """The second click's request left with the cookies of before the first one's answer."""
    body = _ready_to_send(browser)
    late = _twin(demo_app, browser.client)
    first = _code_on(browser.client.post(REVIEW, data=MultiDict(body), follow_redirects=True))
    second = _code_on(late.post(REVIEW, data=MultiDict(body), follow_redirects=True))
    assert first == second
    assert len(submissions(demo_app)) == 1
    assert _works(demo_app, first)


def test_two_saves_of_a_new_answer_at_the_same_moment_keep_one_answer(
    browser: Browser, demo_app: Flask, monkeypatch: Any
) -> None:
    start(browser)
    body = [(name, value) for name, value in form_data(browser.page.form()) if name != "text"]
    bodies = [
        [*body, ("stance", "agree"), ("text", "first click"), ("action", "next")],
        [*body, ("stance", "agree"), ("text", "second click"), ("action", "next")],
    ]
    clients = [browser.client, _twin(demo_app, browser.client)]
    # Both requests have read that there is no answer to idea 1 yet.
    _together(monkeypatch, "save_answer", before=lambda draft, *rest: draft.responses)
    responses = _post_at_once(clients, f"/en/c/{SLUG}/q/1", bodies, follow=False)
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.headers["Location"] for r in responses} == {f"/en/c/{SLUG}/q/2"}
    with demo_app.app_context():
        rows = db.session.scalars(sa.select(Response)).all()
        assert len(rows) == 1
        assert rows[0].text in ("first click", "second click")


def test_the_code_of_a_sent_draft_comes_back_only_for_its_token(demo_app: Flask) -> None:
    with demo_app.app_context():
        consultation = participation.get_open_consultation(SLUG)
        draft = participation.start_draft(consultation, "en", draft_lifetime(current_app.config))
        participation.save_answer(draft, consultation.recommendations[0], "agree", TEXT, "en")
        token, key = draft.draft_token, current_app.config["SECRET_KEY"]
        assert participation.receipt_of_sent_draft(consultation, token, key) is None  # not sent
        code = participation.submit(draft, key)
        db.session.commit()
        assert participation.receipt_of_sent_draft(consultation, token, key) == code
        assert participation.receipt_of_sent_draft(consultation, "another-token", key) is None
        assert participation.receipt_of_sent_draft(consultation, token, "another-key") is None
        with pytest.raises(participation.AlreadySubmitted):
            participation.submit(draft, key)  # no longer a draft
        assert participation.find_by_receipt(code) is draft
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1
