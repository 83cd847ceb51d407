"""The "send again" page after a failed security token is offered only to this site's own session.

A cross-site POST carries no cookies (they are SameSite=Lax). Answering it with a form holding a
fresh token, the submitted values and a new session cookie would let another site log a browser into
an account of its choosing with one click, or replace a participant's draft.
"""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from werkzeug.test import TestResponse

from tests.support.browser import Browser
from tests.support.journey import SLUG, start
from tests.support.staff import PASSWORD, make_staff

TYPED = "Zanzibar-unique-phrase-42"
A_PASSWORD = "hunter2-is-my-password"


def _opted_in_urls(app: Flask, prefix: str) -> list[tuple[str, str, frozenset[str]]]:
    values = {"lang": "en", "slug": SLUG, "position": 1, "code": "ABCD-EFGH-2345"}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            typed = getattr(view, "resend_typed_fields", None)
            if typed is not None and rule.endpoint.startswith(prefix):
                url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
                found.append((rule.endpoint, url, typed))
    return found


def _assert_plain_refusal(response: TestResponse) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please send this again" not in body
    assert TYPED not in body and A_PASSWORD not in body
    assert response.headers.getlist("Set-Cookie") == []
    assert "Content-Security-Policy" in response.headers


def test_a_cross_site_post_to_a_participant_form_gets_the_plain_error(demo_app: Flask) -> None:
    urls = _opted_in_urls(demo_app, "participation.")
    assert {endpoint for endpoint, _url, _typed in urls} >= {
        "participation.intro",
        "participation.question",
    }
    for _endpoint, url, typed in urls:
        fields = {name: TYPED for name in typed} | {"action": "next", "password": A_PASSWORD}
        response = demo_app.test_client().post(url, data=fields)  # no cookies, no token
        _assert_plain_refusal(response)


def test_a_forged_cookie_is_not_a_session(demo_app: Flask) -> None:
    client = demo_app.test_client()
    client.set_cookie(demo_app.config["SESSION_COOKIE_NAME"], "forged.value.sig")
    response = client.post(f"/en/c/{SLUG}/q/1", data={"text": TYPED, "action": "next"})
    _assert_plain_refusal(response)


def test_a_cross_site_log_in_gets_the_plain_error_without_the_password(demo_app: Flask) -> None:
    make_staff(demo_app, "admin@example.org", "admin")
    response = demo_app.test_client().post(
        "/staff/login", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert PASSWORD not in response.get_data(as_text=True)
    assert response.headers.getlist("Set-Cookie") == []


def test_staff_log_in_and_account_forms_never_offer_send_again(demo_app: Flask) -> None:
    """Not even to a session of this site: the page would carry the e-mail, password or
    invitation along."""
    opted_in = [endpoint for endpoint, _url, _typed in _opted_in_urls(demo_app, "staff.accounts.")]
    assert opted_in == []
    browser = Browser(demo_app.test_client())
    browser.get("/staff/login")  # this site's session, with its token
    page = browser.submit({"email": "someone@example.org", "password": PASSWORD, "csrf_token": ""})
    assert page.status == 400 and "Please send this again" not in page.text
    assert PASSWORD not in page.html


def test_send_again_never_writes_back_a_password(browser: Browser) -> None:
    start(browser)
    page = browser.submit(
        {"stance": "agree", "text": TYPED, "csrf_token": None, "new_password": A_PASSWORD},
        button=("action", "next"),
    )
    assert page.status == 400 and "Please send this again" in page.text
    assert page.field_value("text") == TYPED
    assert A_PASSWORD not in page.html


def _session_in(app: Flask, cookie: str) -> dict[str, object]:
    return app.session_interface.get_signing_serializer(app).loads(cookie)


@pytest.mark.parametrize("cookie_was_sent", [True, False])
def test_send_again_keeps_the_session_it_came_with(
    browser: Browser, demo_app: Flask, cookie_was_sent: bool
) -> None:
    """The page reuses the session's own token: the session (and its draft) are not replaced."""
    start(browser)
    name = demo_app.config["SESSION_COOKIE_NAME"]
    before = _session_in(demo_app, browser.client.get_cookie(name).value)
    assert before["csrf_token"] and before["drafts"]
    if not cookie_was_sent:
        browser.client.delete_cookie(name)
    page = browser.submit(
        {"stance": "agree", "text": TYPED, "csrf_token": None}, button=("action", "next")
    )
    assert page.status == 400
    assert ("Please send this again" in page.text) is cookie_was_sent
    if cookie_was_sent:
        # The permanent session's cookie is sent again with a new expiry, holding the same session.
        assert _session_in(demo_app, browser.client.get_cookie(name).value) == before
        assert browser.get(f"/en/c/{SLUG}/q/1").url == f"/en/c/{SLUG}/q/1"  # the draft is here
    else:
        assert page.response.headers.getlist("Set-Cookie") == []
