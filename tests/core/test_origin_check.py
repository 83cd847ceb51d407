"""Forms from other sites are refused without the Referer header (pages send none: no-referrer)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.browser import Browser
from tests.support.journey import SLUG, start

TYPED = "Typed on a phone, kept or refused"


def _question_form(browser: Browser) -> tuple[str, dict[str, str]]:
    start(browser)
    page = browser.get(f"/en/c/{SLUG}/q/1")
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    return f"/en/c/{SLUG}/q/1", {
        "csrf_token": token,
        "stance": "agree",
        "text": TYPED,
        "action": "next",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://attacker.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
    ],
)
def test_a_form_sent_from_another_site_is_refused_even_with_a_valid_token(
    browser: Browser, headers: dict[str, str]
) -> None:
    url, fields = _question_form(browser)
    response = browser.client.post(url, data=fields, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please send this again" not in body and TYPED not in body
    # Nothing was stored: the question page still shows no answer.
    assert TYPED not in browser.get(url).text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "null"},
        {"Origin": "http://localhost"},
        {},
    ],
)
def test_a_form_from_this_site_is_accepted_without_any_referer(
    browser: Browser, headers: dict[str, str]
) -> None:
    url, fields = _question_form(browser)
    response = browser.client.post(url, data=fields, headers=headers)
    assert response.status_code == 302
    assert TYPED in browser.get(url).text


def test_https_forms_need_no_referer(demo_app: Flask) -> None:
    demo_app.config["PREFERRED_URL_SCHEME"] = "https"
    browser = Browser(demo_app.test_client())
    browser.client.environ_base["wsgi.url_scheme"] = "https"
    url, fields = _question_form(browser)
    response = browser.client.post(
        url, data=fields, headers={"Sec-Fetch-Site": "same-origin"}, base_url="https://localhost"
    )
    assert response.status_code == 302
    assert demo_app.test_client().get("/en/").headers["Referrer-Policy"] == "no-referrer"
