"""No client address or user agent reaches the database or the logs, whatever a participant does
(the load benchmark's --soak runs the same check, benchmarks/privacy_check.py, after its load)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from benchmarks.privacy_check import scan_database
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, look_up_receipt, start

ADDRESS = "203.0.113.77"  # TEST-NET-3: an address that appears nowhere else
AGENT = "Mozilla/5.0 PrivacyCanary-5521"


def test_a_journey_leaves_no_address_or_user_agent(
    demo_app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = demo_app.test_client()
    client.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    browser = Browser(client)
    with caplog.at_level(logging.DEBUG, logger="consult"):
        start(browser)
        answer(browser, "agree", "an answer")
        browser.get(f"/en/c/{SLUG}/review")
        browser.submit({"website": "trap"})  # a stop is logged too
        start(browser)
        browser.get(f"/en/c/{SLUG}/review")
        browser.submit()
        look_up_receipt(client, "XXXX-YYYY-ZZZZ")
        client.get("/healthz")
    assert ADDRESS not in caplog.text and AGENT not in caplog.text
    assert "spam defence" in caplog.text
    with demo_app.app_context():
        from consult.core.extensions import db

        db.session.remove()
    assert scan_database(database_url, (ADDRESS, "PrivacyCanary-5521")) == []
