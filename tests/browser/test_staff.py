"""Staff pages in a real browser: a moderator approving and redacting, a translator post-editing,
each page checked by axe-core (WCAG 2.1 A/AA) and for labelled fields (issue 14)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import Response, ResponseTranslation
from tests.browser.pages import check_labels
from tests.browser.support import LiveServer, Tab, describe
from tests.support.factories import PASSWORD, submitted_answers
from tests.translation.desk_support import FRENCH, approved_answers

ALL_BACKENDS = True  # runs on PostgreSQL too (tests/browser/conftest.py)

PHONE_ANSWER = "Lawyers cost too much. Call me on 0612 345 678 and I will tell you more."
REDACTED = "Lawyers cost too much. Call me on [phone number] and I will tell you more."
PLAIN_ANSWER = "Families wait for years: it must be faster."
POST_EDITED = "We need lawyers who speak our language, to understand the papers."


def log_in(tab: Tab, email: str, axe_script: Path | None = None) -> None:
    tab.goto("/staff/login")
    if axe_script is not None:
        staff_checks(tab, "staff-login", axe_script)
    tab.page.fill("input[name=email]", email)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.page.click("main form button[type=submit]")
    assert tab.path == "/staff/", tab.page.inner_text("main")


def staff_checks(tab: Tab, name: str, axe_script: Path) -> None:
    if tab.live.backend != "sqlite":
        return  # the markup is the same on PostgreSQL (see pages.check_page)
    violations = tab.axe(axe_script)
    assert violations == [], f"{name}: {describe(violations)}"
    check_labels(tab, name)


def _response(live: LiveServer, response_id: int) -> Response:
    with live.app.app_context():
        response = db.session.get(Response, response_id)
        db.session.expunge(response)
        db.session.remove()
        return response


def test_moderator_redacts_one_answer_and_approves_another(
    tab: Tab, live_server: LiveServer, axe_script: Path
) -> None:
    phone, plain = submitted_answers(live_server.app, [PHONE_ANSWER, PLAIN_ANSWER])
    log_in(tab, live_server.moderator, axe_script)

    tab.page.click("a[href='/staff/moderate/']")
    assert tab.path.startswith("/staff/moderate/")
    staff_checks(tab, "staff-moderation-queue", axe_script)

    tab.goto(f"/staff/moderate/{phone}")
    staff_checks(tab, "staff-moderation-answer", axe_script)
    # The suspected phone number is marked in the original, and the suggested public version
    # leaves it out; the moderator writes their own.
    assert "0612 345 678" in tab.page.inner_text("main blockquote.original mark")
    tab.page.fill("textarea[name=public_text]", REDACTED)
    tab.page.click("button[name=action][value=redact]")
    redacted = _response(live_server, phone)
    assert redacted.moderation_state == "approved"
    assert redacted.public_text == REDACTED
    assert redacted.text == PHONE_ANSWER  # the original is kept

    tab.goto(f"/staff/moderate/{plain}")
    tab.page.click("button[name=action][value=approve]")
    approved = _response(live_server, plain)
    assert approved.moderation_state == "approved"
    assert approved.public_text == PLAIN_ANSWER


def test_moderator_decides_with_javascript_off(no_js_tab: Tab, live_server: LiveServer) -> None:
    [response_id] = submitted_answers(live_server.app, [PLAIN_ANSWER])
    log_in(no_js_tab, live_server.moderator)
    no_js_tab.page.click("a[href='/staff/moderate/']")
    no_js_tab.page.click(f"a[href='/staff/moderate/{response_id}']")
    no_js_tab.page.click("button[name=action][value=approve]")
    assert _response(live_server, response_id).moderation_state == "approved"


def test_translator_post_edits_an_answer(
    tab: Tab, live_server: LiveServer, axe_script: Path
) -> None:
    [response_id] = approved_answers(live_server.app, [FRENCH], lang="fr")
    log_in(tab, live_server.translator, axe_script)

    tab.page.click("a[href='/staff/translate/']")
    staff_checks(tab, "staff-translation-desk", axe_script)
    tab.goto(f"/staff/translate/{response_id}")
    staff_checks(tab, "staff-translation-answer", axe_script)
    assert FRENCH in tab.page.inner_text("main blockquote.original")
    box = tab.page.locator("main textarea[name=text]")
    assert box.get_attribute("lang") == "en"
    box.fill(POST_EDITED)
    tab.page.click("button[name=action][value=save]")

    with live_server.app.app_context():
        rows = db.session.scalars(
            sa.select(ResponseTranslation).where(ResponseTranslation.response_id == response_id)
        ).all()
        human = [(r.language, r.text, r.provenance, r.reviewed) for r in rows]
        db.session.remove()
    assert ("en", POST_EDITED, "human", True) in human
