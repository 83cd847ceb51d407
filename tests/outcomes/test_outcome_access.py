"""Who may open the outcome pages: the rule of each route, tried with every role and anonymously
(tests/accounts/test_access.py walks every staff route the same way; this one names ours)."""

from __future__ import annotations

import pytest
from flask import Flask

from consult.vocab import Role
from tests.support.factories import staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in

# Endpoint (without "staff.outcomes.") -> the roles that may use it.
ORGANISERS = {"organiser", "admin"}
EXPECTED = {
    "export_page": ORGANISERS,
    "export_answers_csv": ORGANISERS,
    "export_answers_xlsx": ORGANISERS,
    "export_answers_json": ORGANISERS,
    "export_originals_csv": {"admin"},
    "export_originals_xlsx": {"admin"},
    "export_originals_json": {"admin"},
    # A file built in the background: organisers and admins at the door; inside, only the one who
    # asked for it, and one with the original texts only as an admin (test_export_files.py).
    "download_export_file": ORGANISERS,
    "outcome_page": ORGANISERS,
    "request_drafts": ORGANISERS,
    "outcome_translations": ORGANISERS | {"translator"},
    "publish": ORGANISERS,
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.outcomes."):
            url = rule.rule.replace("<slug>", SLUG).replace("<int:file_id>", "1")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint.removeprefix("staff.outcomes."), method, url))
    return routes


def test_every_route_has_the_expected_rule(app: Flask) -> None:
    declared = {endpoint for endpoint, _m, _u in _routes(app)}
    assert declared == set(EXPECTED)
    for endpoint in declared:
        view = app.view_functions[f"staff.outcomes.{endpoint}"]
        assert set(view.staff_access) == EXPECTED[endpoint], endpoint


@pytest.mark.parametrize("role", list(Role))
def test_roles(demo_app: Flask, role: str) -> None:
    staff_member(demo_app, f"{role}@example.org", role)
    browser = log_in(demo_app, f"{role}@example.org")
    demo_app.config["WTF_CSRF_ENABLED"] = False
    for endpoint, method, url in _routes(demo_app):
        status = browser.client.open(url, method=method).status_code
        if role in EXPECTED[endpoint]:
            assert status != 403, (role, endpoint, method)
        else:
            assert status == 403, (role, endpoint, method, status)


def test_anonymous_visitors_are_sent_to_log_in(demo_app: Flask) -> None:
    client = demo_app.test_client()
    demo_app.config["WTF_CSRF_ENABLED"] = False
    for endpoint, method, url in _routes(demo_app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method)
        assert response.headers["Location"] == "/staff/login"
