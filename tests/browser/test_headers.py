"""Security headers as the browser receives them, and the browser enforcing them (issue 14, item 5).

Referrer-Policy is `no-referrer`: forms from other sites are refused by Sec-Fetch-Site/Origin
(consult/core/origin_check.py) instead of Flask-WTF's Referer check, and every journey in this
suite, forms included, runs under it."""

from __future__ import annotations

import pytest

from tests.browser.support import Tab
from tests.support.journey import SLUG

PAGES = ["/en/", f"/ar/c/{SLUG}/", "/ti/r/", "/staff/login", "/static/consult.css"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(tab: Tab, path: str) -> None:
    headers = tab.goto(path).all_headers()
    policy = [part.strip() for part in headers["content-security-policy"].split(";")]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and not any("unsafe" in part for part in policy)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_the_browser_refuses_inline_script_and_framing(tab: Tab) -> None:
    tab.goto("/en/")
    with pytest.raises(Exception, match="Content Security Policy"):
        tab.page.add_script_tag(content="window.injected = true")
    assert tab.page.evaluate("window.injected === undefined")
    refused = [e for e in tab.console_errors if "Content Security Policy" in e]
    assert refused, tab.console_errors
    tab.console_errors.clear()  # expected here; any other console error fails the test

    # Another page framing the app gets an empty frame.
    tab.page.set_content(f'<iframe src="{tab.live.url("/en/")}"></iframe>')
    tab.page.wait_for_timeout(500)
    frame = tab.page.frames[1]
    assert "site-header" not in frame.content()
    framing = [e for e in tab.console_errors if "frame-ancestors" in e]
    assert framing, tab.console_errors
    tab.console_errors[:] = [e for e in tab.console_errors if e not in framing]
