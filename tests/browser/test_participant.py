"""The participant's whole journey in a real browser, in English, Arabic (right to left) and
Tigrinya: every page screenshotted at 360x740, checked by axe-core (WCAG 2.1 A/AA), for labels,
touch targets, reflow at 320 px, and weighed against the budget (issue 14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import Submission
from tests.browser.pages import (
    QUESTION,
    check_page,
    consultation_link,
    main_submit,
    next_button,
    pick,
    write_weights,
)
from tests.browser.support import LiveServer, Tab
from tests.support.factories import submission
from tests.support.journey import SLUG

ALL_BACKENDS = True  # runs on PostgreSQL too (tests/browser/conftest.py)

RECEIPT = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
ANSWERS = {
    "en": "Lawyers cost too much for us.",
    "ar": "المحامون مكلفون جدا بالنسبة لنا.",
    "ti": "ጠበቓታት ኣዝዮም ክቡራት እዮም።",
}


@pytest.fixture(scope="module", autouse=True)
def _weights(artifacts: Path) -> Iterator[None]:
    yield
    write_weights(artifacts)


def _submissions(live: LiveServer) -> list[Submission]:
    with live.app.app_context():
        rows = list(db.session.scalars(sa.select(Submission).order_by(Submission.id)))
        db.session.remove()
        return rows


@pytest.mark.parametrize("lang", ["en", "ar", "ti"])
def test_whole_journey_in_a_phone_browser(
    tab: Tab, live_server: LiveServer, lang: str, axe_script: Path, artifacts: Path
) -> None:
    shots = artifacts / f"{live_server.backend}-participant-{lang}"
    shots.mkdir(exist_ok=True)
    # Every load is a first visit: nothing from the cache, so each page's weight is all of it.
    tab.page.context.new_cdp_session(tab.page).send(
        "Network.setCacheDisabled", {"cacheDisabled": True}
    )
    before = len(_submissions(live_server))

    def step(name: str) -> None:
        check_page(tab, f"{lang}-{name}", axe_script, shots)

    tab.goto(f"/{lang}/")
    direction = "rtl" if lang == "ar" else "ltr"
    assert tab.page.get_attribute("html", "dir") == direction
    assert tab.page.get_attribute("html", "lang") == lang
    step("01-home")

    tab.page.click(consultation_link(lang))
    assert tab.path == f"/{lang}/c/{SLUG}/"
    step("02-intro")
    # Sending without consent: the error is announced and linked to the box.
    main_submit(tab).click()
    box = tab.page.locator("#agree")
    assert box.get_attribute("aria-invalid") == "true"
    error_id = box.get_attribute("aria-describedby")
    assert error_id and tab.page.locator(f"#{error_id}").inner_text().strip()
    assert tab.page.locator(".error-summary[role=alert] a[href='#agree']").count() == 1
    step("03-intro-error")

    pick(tab, "agree", "y")
    main_submit(tab).click()
    position = 0
    while match := QUESTION.search(tab.path):
        position = int(match.group(1))
        assert tab.page.get_attribute("html", "dir") == direction
        if position == 1:
            pick(tab, "stance", "agree")
            tab.page.fill("textarea[name=text]", ANSWERS[lang])
            step("04-question-1")
        elif position == 2:
            pick(tab, "stance", "disagree")
        next_button(tab).click()
    assert position == 8
    assert tab.path == f"/{lang}/c/{SLUG}/about"
    step("05-about")
    pick(tab, "stage", "destination")
    pick(tab, "age_band", "30_44")
    next_button(tab).click()

    assert tab.path == f"/{lang}/c/{SLUG}/review"
    assert ANSWERS[lang] in tab.page.inner_text("main")
    step("06-review")
    main_submit(tab).click()

    assert tab.path == f"/{lang}/c/{SLUG}/thanks"
    code = tab.page.inner_text(".receipt-code").strip()
    assert RECEIPT.match(code), code
    step("07-thanks")
    tab.page.click(f"footer a[href='/{lang}/languages']")
    step("12-languages")

    rows = _submissions(live_server)
    assert len(rows) == before + 1
    assert rows[-1].state == "submitted" and rows[-1].language == lang
    assert rows[-1].stage == "destination" and rows[-1].age_band == "30_44"


@pytest.mark.parametrize("lang", ["en", "ar", "ti"])
def test_receipt_page_then_deleting_everything(
    tab: Tab, live_server: LiveServer, lang: str, axe_script: Path, artifacts: Path
) -> None:
    shots = artifacts / f"{live_server.backend}-participant-{lang}"
    shots.mkdir(exist_ok=True)
    made = submission(live_server.app, [ANSWERS[lang]], lang=lang)

    tab.goto(f"/{lang}/r/")
    check_page(tab, f"{lang}-08-receipt-lookup", axe_script, shots)
    tab.page.fill("input[name=code]", made.receipt.lower().replace("-", " "))
    main_submit(tab).click()
    assert ANSWERS[lang] in tab.page.inner_text("main")
    check_page(tab, f"{lang}-09-receipt", axe_script, shots)

    # Deleting without ticking the box: refused, and the error is tied to the box.
    tab.page.click("main .danger-zone button[type=submit]")
    confirm = tab.page.locator(".danger-zone input[type=checkbox]")
    assert confirm.get_attribute("aria-invalid") == "true"
    assert tab.page.locator(f"#{confirm.get_attribute('aria-describedby')}").inner_text().strip()
    check_page(tab, f"{lang}-10-receipt-delete-error", axe_script, shots, weigh=False)

    tab.page.click(f"label[for='{confirm.get_attribute('id')}']")
    tab.page.click("main .danger-zone button[type=submit]")
    assert tab.path == f"/{lang}/r/deleted"
    check_page(tab, f"{lang}-11-deleted", axe_script, shots)
    with live_server.app.app_context():
        assert db.session.get(Submission, made.submission_id) is None
        db.session.remove()
