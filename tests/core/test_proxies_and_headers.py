"""Rate limits behind reverse proxies and NAT, Strict-Transport-Security, the language cookie."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from consult.core.security_headers import STRICT_TRANSPORT_SECURITY
from tests.support.browser import Browser
from tests.support.journey import look_up_receipt

CODES = [f"ABCD-EFGH-{n}{n}{n}{n}" for n in "23456789"]  # well-formed codes that match nothing


def _lookup(app: Flask, code: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return look_up_receipt(app.test_client(), code, headers=headers)


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    app_factory: Callable[..., Flask],
) -> None:
    app = app_factory(CONSULT_TRUSTED_PROXIES=1, CONSULT_RECEIPT_ADDRESS_RATE_LIMIT="2 per minute")
    first, second = "203.0.113.1", "203.0.113.2"
    assert [_lookup(app, code, first) for code in CODES[:3]] == [404, 404, 429]
    assert _lookup(app, CODES[3], second) == 404  # the proxy's other client is not locked out
    # The proxy appends the address it saw; only the last one (its own report) is believed.
    assert _lookup(app, CODES[4], f"{second}, {first}") == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(
    app_factory: Callable[..., Flask],
) -> None:
    """Anyone can send X-Forwarded-For: believed without a proxy, it would let one client
    take a fresh limit with every request."""
    app = app_factory(CONSULT_RECEIPT_ADDRESS_RATE_LIMIT="2 per minute")
    statuses = [_lookup(app, code, f"198.51.100.{n}") for n, code in enumerate(CODES[:3])]
    assert statuses == [404, 404, 429]


def test_each_receipt_code_has_its_own_limit(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(CONSULT_RECEIPT_RATE_LIMIT="2 per minute")
    assert [_lookup(app, CODES[0]) for _ in range(3)] == [404, 404, 429]
    assert _lookup(app, "abcd efgh 2222") == 429  # the same code, typed another way
    assert _lookup(app, CODES[1]) == 404  # another code from the same address
    # The look-up form counts per code too.
    browser = Browser(app.test_client())

    def typed(code: str) -> int:
        browser.get("/en/r/")
        return browser.submit({"code": code}, follow=False).status

    statuses = [typed(CODES[2]) for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
    assert typed(CODES[3].lower()) != 429


def test_one_address_many_people_are_not_locked_out(app: Flask) -> None:
    """With the default limits, a camp's shared address can look up many receipts (each person
    their own code) where the old per-address limit stopped at the eleventh."""
    client = app.test_client()
    statuses = [look_up_receipt(client, code) for code in CODES * 2]
    assert statuses == [404] * len(statuses)


def test_strict_transport_security_when_cookies_are_secure(
    app_factory: Callable[..., Flask],
) -> None:
    secure = app_factory(CONSULT_SECURE_COOKIES="1").test_client()
    for path in ("/en/", "/en/c/no-such-thing/", "/static/consult.css", "/"):
        with secure.get(path, base_url="https://localhost") as response:
            assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    assert STRICT_TRANSPORT_SECURITY == "max-age=31536000"
    plain = app_factory(CONSULT_SECURE_COOKIES="0").test_client()
    assert "Strict-Transport-Security" not in plain.get("/en/").headers


def _language_cookie(response) -> str | None:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("consult_lang=")]
    return cookies[0] if cookies else None


def test_the_language_cookie_is_secure_with_secure_cookies_and_lasts_30_days(
    app_factory: Callable[..., Flask],
) -> None:
    secure = app_factory(CONSULT_SECURE_COOKIES="1").test_client()
    cookie = _language_cookie(secure.get("/ar/", base_url="https://localhost"))
    assert cookie is not None
    assert "Secure" in cookie and "Max-Age=2592000" in cookie and "HttpOnly" in cookie
    plain = app_factory(CONSULT_SECURE_COOKIES="0").test_client()
    cookie = _language_cookie(plain.get("/ar/"))
    assert cookie is not None and "Secure" not in cookie and "Max-Age=2592000" in cookie


def test_an_error_page_sets_no_language_cookie(app: Flask) -> None:
    response = app.test_client().get("/ar/c/no-such-thing/")
    assert response.status_code == 404
    assert _language_cookie(response) is None
