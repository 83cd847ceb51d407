"""The whole participant journey in a browser with JavaScript switched off (issue 14, item 3); the
moderation queue's decision without JavaScript is in test_staff.py."""

from __future__ import annotations

import pytest

from tests.browser.pages import QUESTION, consultation_link, main_submit, next_button, pick
from tests.browser.support import Tab
from tests.support.journey import SLUG

ALL_BACKENDS = True  # runs on PostgreSQL too (tests/browser/conftest.py)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_whole_journey_without_javascript(no_js_tab: Tab, lang: str) -> None:
    tab = no_js_tab
    tab.goto(f"/{lang}/")
    assert tab.page.evaluate("1 + 1") == 2  # the driver still reads the page; the page runs nothing
    # The language menu is a <details>: it opens without script.
    tab.page.click(".language-menu summary")
    assert tab.page.is_visible(".language-list a[hreflang=ti]")
    tab.page.click(consultation_link(lang))
    pick(tab, "agree", "y")
    main_submit(tab).click()
    while QUESTION.search(tab.path):
        pick(tab, "stance", "not_sure")
        next_button(tab).click()
    assert tab.path == f"/{lang}/c/{SLUG}/about"
    tab.page.click("main button[name=action][value=skip]")
    assert tab.path == f"/{lang}/c/{SLUG}/review"
    main_submit(tab).click()
    assert tab.path == f"/{lang}/c/{SLUG}/thanks"
    assert tab.page.inner_text(".receipt-code").strip()
