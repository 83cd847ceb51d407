"""Access control: every staff URL refuses anonymous visitors and staff without the right role.

The test walks the app's URL map, so a new staff route without an access rule fails here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent, Role
from tests.support.factories import staff_member
from tests.support.staff import log_in

# Sample values for URL variables.
URL_VALUES = {
    "response_id": 1,
    "case_id": 1,
    "user_id": 1,
    "token": "x",
    "slug": "x",
    "rid": 1,
    "lang": "en",
    "key": "x",
    "kind": "x",
    "position": 1,
    "file_id": 1,
}


def staff_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every staff route."""
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(URL_VALUES[name])).replace(
                f"<{name}>", str(URL_VALUES[name])
            )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, method, url))
    return rules


def test_every_staff_view_declares_an_access_rule(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, _method, _url in staff_rules(app)
        if not hasattr(app.view_functions[endpoint], "staff_access")
    ]
    assert undeclared == []
    assert len(staff_rules(app)) > 15


def test_anonymous_visitors_are_sent_to_log_in(app: Flask) -> None:
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # so a POST reaches the access check, not the CSRF check
    for endpoint, method, url in staff_rules(app):
        view = app.view_functions[endpoint]
        response = client.open(url, method=method)
        if view.staff_public:
            assert response.status_code in (200, 302, 404, 422), (endpoint, response.status_code)
            continue
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"] == "/staff/login", endpoint


@pytest.mark.parametrize("role", list(Role))
def test_staff_without_the_role_are_refused(app: Flask, role: str) -> None:
    staff_member(app, f"{role}@example.org", role)
    browser = log_in(app, f"{role}@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    for endpoint, method, url in staff_rules(app):
        view = app.view_functions[endpoint]
        if view.staff_public or endpoint == "staff.accounts.logout":
            continue
        response = browser.client.open(url, method=method)
        if view.staff_access and role not in view.staff_access:
            assert response.status_code == 403, (role, endpoint, method, response.status_code)
        else:
            assert response.status_code != 403, (role, endpoint, method)


def test_a_view_without_a_rule_is_never_served(app: Flask) -> None:

    def forgotten() -> str:
        return "secret"

    app.add_url_rule("/staff/forgotten", "staff.forgotten", forgotten)
    assert "staff" in app.blueprints
    assert app.test_client().get("/staff/forgotten").status_code == 403


def test_the_audit_log_is_append_only_in_the_database(app: Flask) -> None:
    staff_member(app, "admin@example.org", "admin")
    with app.app_context():
        event_id = db.session.scalar(sa.select(AuditEvent.id))
        with pytest.raises(PermissionError):
            event = db.session.get(AuditEvent, event_id)
            event.action = "nothing.happened"
            db.session.flush()
        db.session.rollback()
        for statement in (
            sa.update(AuditEvent).values(action="nothing.happened"),
            sa.delete(AuditEvent),
        ):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                db.engine.begin() as connection,
            ):
                connection.execute(statement)
        assert db.session.scalar(sa.select(AuditEvent.action)) == "staff.created"


def test_admin_can_browse_and_filter_the_audit_log(app: Flask) -> None:
    staff_member(app, "admin@example.org", "admin")
    staff_member(app, "mod@example.org", "moderator")
    log_in(app, "mod@example.org")
    admin = log_in(app, "admin@example.org")
    page = admin.get("/staff/admin/audit")
    rows = page.soup.select("tbody tr")
    assert [r.select("td")[2].get_text(strip=True) for r in rows][:2] == [
        "staff.login",
        "staff.login",
    ]
    # The whole address, in any case: an index finds it (a part of an address would need a scan).
    page = admin.get("/staff/admin/audit?actor=MOD@example.org&action=staff.login")
    rows = page.soup.select("tbody tr")
    assert len(rows) == 1 and "mod@example.org" in rows[0].get_text()
