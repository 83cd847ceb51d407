"""One phone, several people (families and camps share phones): the receipt code is shown once, no
URL holds it, and nothing of one person's answers reaches the next person through the browser's
history or a page left open.

Every test here uses ONE browser (one cookie jar), as one shared phone would.
"""

from __future__ import annotations

from flask import Flask

from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start

A_TEXT = "Our family waited nine months in the camp for a lawyer."
A_PROFILE_WORD = "30 to 44"


def _urls(page: Page) -> list[str]:
    """Every address the phone asked for to reach this page, redirects included."""
    responses = [*page.response.history, page.response]
    return [r.request.full_path.rstrip("?") for r in responses]


def _spellings(code: str) -> list[str]:
    plain = code.replace("-", "")
    return [code, plain, plain.lower(), code.lower()]


def _assert_page_is_clean(page: Page, code: str) -> None:
    body = page.html
    for spelling in _spellings(code):
        assert spelling not in body, f"{page.url} shows the receipt code"
    assert A_TEXT not in body, f"{page.url} shows the last person's answer"
    assert A_PROFILE_WORD not in page.text, f"{page.url} shows the last person's profile"


def _assert_not_cached(page: Page) -> None:
    for response in [*page.response.history, page.response]:
        if response.mimetype == "text/html":
            assert response.headers["Cache-Control"] == "no-store", response.request.path


def _send_answers(phone: Browser, visited: list[str]) -> str:
    """Person A answers, tells about themselves, sends, and reads the code on the thank-you
    page; returns the code."""
    page = phone.get(f"/en/c/{SLUG}/")
    visited += _urls(page)
    page = start(phone)
    visited += _urls(page)
    page = answer(phone, "agree", A_TEXT)
    visited += _urls(page)
    for _ in range(2, 9):
        page = answer(phone, None)
        visited += _urls(page)
    page = phone.submit({"age_band": "30_44"}, button=("action", "next"))
    visited += _urls(page)
    assert page.url == f"/en/c/{SLUG}/review" and A_TEXT in page.text
    page = phone.submit()
    visited += _urls(page)
    _assert_not_cached(page)
    assert page.url == f"/en/c/{SLUG}/thanks"
    return page.soup.select_one(".receipt-code").get_text(strip=True)


def test_the_next_person_on_the_phone_finds_neither_the_code_nor_the_answers(
    browser: Browser, demo_app: Flask
) -> None:
    phone = browser
    visited: list[str] = []
    code = _send_answers(phone, visited)

    # A reload of the thank-you page (or the next person opening it from the history) no longer
    # shows the code: it was shown once.
    page = phone.get(f"/en/c/{SLUG}/thanks")
    visited += _urls(page)
    assert page.status == 200
    assert "shown only once" in page.text
    assert page.soup.find("a", href="/en/r/") is not None  # to the look-up form
    _assert_page_is_clean(page, code)

    # A finds their answers with the code, typed into the look-up form: the page comes back from
    # the POST itself, at the form's address, never at an address holding the code.
    page = phone.get("/en/r/")
    visited += _urls(page)
    page = phone.submit({"code": code.lower()})
    visited += _urls(page)
    assert page.status == 200 and page.url == "/en/r/"
    assert not page.response.history  # no redirect to an address with the code
    assert A_TEXT in page.text
    _assert_not_cached(page)

    # No address the phone asked for holds the code, in any spelling.
    for url in visited:
        for spelling in _spellings(code):
            assert spelling not in url, url

    # The next person goes through the history: every page A opened, asked for again.
    for url in dict.fromkeys(visited):
        page = phone.get(url)
        _assert_not_cached(page)
        _assert_page_is_clean(page, code)


def test_opening_my_answers_from_the_thank_you_page_keeps_the_code_out_of_addresses(
    browser: Browser, demo_app: Flask
) -> None:
    visited: list[str] = []
    code = _send_answers(browser, visited)
    page = browser.submit(action_contains="/r/")  # "Open my answers"
    assert page.status == 200 and A_TEXT in page.text
    assert page.url == "/en/r/" and not page.response.history
    assert browser.get(f"/en/c/{SLUG}/thanks").text.count(code) == 0


def test_an_address_with_a_code_in_it_looks_nothing_up(browser: Browser, demo_app: Flask) -> None:
    code = _send_answers(browser, [])
    page = browser.get(f"/en/r/{code}")
    assert page.status == 404
    assert A_TEXT not in page.html and code not in page.text


def test_a_look_up_sent_again_from_the_back_button_shows_nothing(
    browser: Browser, demo_app: Flask
) -> None:
    """Back or Forward to a page that came from a form makes the browser offer to send the form
    again: the same body, with the phone's cookies as they are by then."""
    code = _send_answers(browser, [])
    lookup = browser.get("/en/r/")
    assert A_TEXT in browser.submit({"code": code}).text
    browser.page = lookup  # the same form, the same body, sent again
    again = browser.submit({"code": code})
    assert again.status == 400
    _assert_page_is_clean(again, code)

    # The receipt page's own form (delete, without the box ticked) shows the answers again...
    browser.get("/en/r/")
    receipt = browser.submit({"code": code})
    refused = browser.submit({"confirm": None}, action_contains="/delete")
    assert refused.status == 422 and A_TEXT in refused.text
    # ... once: sent again, it shows nothing.
    browser.page = receipt
    again = browser.submit({"confirm": None}, action_contains="/delete")
    assert again.status == 400
    _assert_page_is_clean(again, code)

    # Nor after "start again as a new person".
    browser.get("/en/r/")
    receipt = browser.submit({"code": code})
    page = browser.submit(action_contains="/start-again")
    assert "no longer holds anyone's answers" in page.text
    browser.page = receipt
    again = browser.submit({"confirm": None}, action_contains="/delete")
    assert again.status == 400
    _assert_page_is_clean(again, code)


def test_start_again_as_a_new_person_forgets_the_draft_in_progress(
    browser: Browser, demo_app: Flask
) -> None:
    phone = browser
    start(phone)
    answer(phone, "agree", A_TEXT)  # A stops here and passes the phone on

    page = phone.get(f"/en/c/{SLUG}/")
    assert "Sharing this phone?" in page.text
    page = phone.submit(action_contains="/start-again")
    assert page.status == 200 and page.url == f"/en/c/{SLUG}/"
    assert "no longer holds anyone's answers" in page.text
    assert "Sharing this phone?" not in page.text
    for url in (f"/en/c/{SLUG}/q/1", f"/en/c/{SLUG}/about", f"/en/c/{SLUG}/review"):
        page = phone.get(url)
        assert page.url == f"/en/c/{SLUG}/", url  # no draft: back to the consent page
        assert A_TEXT not in page.html

    page = start(phone)  # B's own draft, empty
    assert page.field_value("text") == "" and page.checked("stance") == []


def test_a_new_journey_forgets_a_receipt_that_was_never_shown(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser)
    answer(browser, "agree", A_TEXT)
    browser.get(f"/en/c/{SLUG}/review")
    sent = browser.submit(follow=False)  # the connection drops before the thank-you page
    assert sent.status == 302

    start(browser)  # the next person starts
    page = browser.get(f"/en/c/{SLUG}/thanks")
    assert page.soup.select_one(".receipt-code") is None
    assert A_TEXT not in page.html
