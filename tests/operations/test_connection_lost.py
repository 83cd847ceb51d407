"""A database connection cut while a request ends (PostgreSQL restarting) does not turn the page
into a 500; the next request works (benchmarks/drills/restart_postgres.py does it for real)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import scoped_session

from tests.support.journey import SLUG


def test_a_connection_lost_at_the_end_of_a_request_is_not_a_500(
    demo_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_remove = scoped_session.remove
    failures = []

    def remove_on_a_dead_connection(self) -> None:
        if not failures:
            failures.append(1)
            raise sa.exc.OperationalError("ROLLBACK", {}, Exception("terminating connection"))
        real_remove(self)

    monkeypatch.setattr(scoped_session, "remove", remove_on_a_dead_connection)
    client = demo_app.test_client()
    with caplog.at_level(logging.WARNING):
        first = client.get(f"/en/c/{SLUG}/")
    assert first.status_code == 200
    assert failures == [1]
    assert "database connection lost while closing a session" in caplog.text
    assert client.get(f"/en/c/{SLUG}/").status_code == 200
