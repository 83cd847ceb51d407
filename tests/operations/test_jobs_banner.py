"""The staff pages say when background jobs are delayed (Redis down or a queue not worked), from a
check each process makes at most every 30 seconds."""

from __future__ import annotations

from flask import Flask

from consult.core import health
from tests.support.factories import staff_member
from tests.support.staff import log_in

BANNER = "Background jobs are delayed"


def test_no_banner_without_a_queue(app: Flask) -> None:
    staff_member(app, "mod@example.org", "moderator")
    page = log_in(app, "mod@example.org").get("/staff/")
    assert BANNER not in page.text


def test_banner_when_redis_cannot_be_reached_and_the_check_is_cached(
    app_factory, monkeypatch
) -> None:
    # Nothing listens on port 1: the queue cannot be reached.
    app: Flask = app_factory(CONSULT_REDIS_URL="redis://127.0.0.1:1/0")
    staff_member(app, "mod@example.org", "moderator")
    browser = log_in(app, "mod@example.org")
    page = browser.get("/staff/")
    assert BANNER in page.text
    assert page.soup.find(string=lambda s: s and BANNER in s).find_parent(attrs={"role": "status"})
    asked = []
    monkeypatch.setattr("consult.jobs.jobs_delayed", lambda a: asked.append(a) or False)
    assert BANNER in browser.get("/staff/").text  # still the cached answer
    assert asked == []
    monkeypatch.setattr(health, "JOBS_CHECK_SECONDS", 0)
    assert BANNER not in browser.get("/staff/").text
    assert len(asked) == 1


def test_participants_never_see_the_banner(app_factory) -> None:
    app: Flask = app_factory(CONSULT_REDIS_URL="redis://127.0.0.1:1/0")
    with app.test_client() as client:
        assert BANNER not in client.get("/en/").get_data(as_text=True)
