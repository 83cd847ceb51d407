"""Redis down (CONSULT_REDIS_URL set, nothing answering): participants still take part and send,
and the rate limits still hold, counted in each process's memory."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from consult.consultations.demo import load_demo
from consult.core.extensions import db
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, look_up_receipt, start, submissions

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down_app(app_factory) -> Flask:
    app: Flask = app_factory(
        CONSULT_REDIS_URL=DEAD_REDIS, CONSULT_RECEIPT_RATE_LIMIT="3 per minute"
    )
    with app.app_context():
        load_demo()
        db.session.commit()
    return app


def test_participants_send_their_answers_while_redis_is_down(redis_down_app: Flask) -> None:
    browser = Browser(redis_down_app.test_client())
    start(browser)
    answer(browser, "agree", "still saved")
    page = browser.get(f"/en/c/{SLUG}/review")
    page = browser.submit()
    assert page.url.endswith("/thanks") and page.status == 200
    assert [s.state for s in submissions(redis_down_app)] == ["submitted"]


def test_rate_limits_fall_back_to_memory(
    redis_down_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis_down_app.test_client()
    with caplog.at_level(logging.WARNING):
        statuses = [look_up_receipt(client, "ABCD-EFGH-JKLM") for _ in range(5)]
    assert 429 not in statuses[:3] and statuses[3:] == [429, 429]
    assert "falling back to in-memory storage" in caplog.text
