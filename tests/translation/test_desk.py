"""The translation desk's answer page, through its real forms: the public version beside an editable
translation, post-editing a machine draft, editing a human translation, "I can't read this
language", right-to-left targets, the audit log, access, and that the original is never changed.
Both databases; no JavaScript (plain forms)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import AuditEvent
from tests.support.browser import Browser
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import audit_actions, log_in
from tests.translation.desk_support import (
    ARABIC,
    ENGLISH,
    answer_row,
    approved_answers,
    machine_draft,
    set_working_languages,
    translations,
)

TRANSLATOR = "tr@example.org"
DRAFT = "We need lawyers who speak our language, otherwise we sign papers we do not understand."
EDITED = "We need lawyers who speak our language; otherwise we sign papers we don't understand."


@pytest.fixture
def translator_id(demo_app: Flask) -> int:
    return staff_member(demo_app, TRANSLATOR, "translator")


@pytest.fixture
def translator(demo_app: Flask, translator_id: int) -> Browser:
    return log_in(demo_app, TRANSLATOR)


def test_the_page_shows_the_answer_beside_the_machine_draft(
    demo_app: Flask, translator: Browser
) -> None:
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    machine_draft(demo_app, rid, "en", DRAFT)
    page = translator.get("/staff/translate/")
    page = translator.get(page.soup.select_one(".queue-item .targets a")["href"])
    assert page.status == 200
    assert page.soup.find("title").get_text() == f"Answer {rid} · Consult"
    assert page.soup.find("h1").get_text() == f"Answer {rid}"
    answer = page.soup.select_one("blockquote.original")
    assert (answer["dir"], answer["lang"]) == ("auto", "ar")
    assert answer.get_text() == ARABIC
    assert page.field_value("text") == DRAFT
    assert "Machine translation" in page.text
    box = page.soup.select_one("textarea[name=text]")
    assert (box["lang"], box["dir"]) == ("en", "ltr")


def test_post_editing_a_machine_draft_saves_a_human_translation(
    demo_app: Flask, translator: Browser, translator_id: int
) -> None:
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    machine_draft(demo_app, rid, "en", DRAFT)
    before = answer_row(demo_app, rid)
    translator.get(f"/staff/translate/{rid}?to=en")
    page = translator.submit({"text": EDITED}, button=("action", "save"))
    assert page.url == "/staff/translate/" and "Saved." in page.text
    assert "Nothing here. Well done." in page.text
    assert translations(demo_app, rid) == [
        ("en", "human", EDITED, translator_id, True),
        ("en", "machine:test", DRAFT, None, False),  # kept as it was, as history
    ]
    assert answer_row(demo_app, rid) == before
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "translation.saved")
        )
        assert (event.object_type, event.object_id, event.actor_id) == (
            "response",
            rid,
            translator_id,
        )
        assert event.new_state["language"] == "en"
        assert event.new_state["machine_draft"] == "machine:test"
        assert EDITED not in str(event.new_state) and ARABIC not in str(event.new_state)


def test_editing_a_human_translation_updates_it(
    demo_app: Flask, translator: Browser, translator_id: int
) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    [rid] = approved_answers(demo_app, [ENGLISH])
    before = answer_row(demo_app, rid)
    page = translator.get(f"/staff/translate/{rid}?to=ar")
    assert page.field_value("text") == ""
    assert "Machine translation" not in page.text
    translator.submit({"text": "المحامون"}, button=("action", "save"))
    second = staff_member(demo_app, "tr2@example.org", "translator")
    other = log_in(demo_app, "tr2@example.org")
    # Saved: no longer in the queue, but the page still opens with the translation to edit.
    assert "Nothing here. Well done." in other.get("/staff/translate/").text
    page = other.get(f"/staff/translate/{rid}?to=ar")
    assert page.field_value("text") == "المحامون"
    other.submit({"text": "محامون مجانيون"}, button=("action", "save"))
    assert translations(demo_app, rid) == [("ar", "human", "محامون مجانيون", second, True)]
    assert answer_row(demo_app, rid) == before
    assert audit_actions(demo_app).count("translation.saved") == 2


def test_a_right_to_left_target_gets_dir_rtl(demo_app: Flask, translator: Browser) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    [rid] = approved_answers(demo_app, [ENGLISH])
    page = translator.get(f"/staff/translate/{rid}?to=ar")
    box = page.soup.select_one("textarea[name=text]")
    assert (box["lang"], box["dir"]) == ("ar", "rtl")
    assert page.soup.select_one("blockquote.original")["lang"] == "en"


def test_an_empty_translation_is_refused(demo_app: Flask, translator: Browser) -> None:
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    translator.get(f"/staff/translate/{rid}?to=en")
    page = translator.submit({"text": "   "}, button=("action", "save"))
    assert page.status == 422 and "Write the translation." in page.text
    assert translations(demo_app, rid) == []


def test_cant_read_is_recorded_and_changes_nothing_else(
    demo_app: Flask, translator: Browser, translator_id: int
) -> None:
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    staff_member(demo_app, "tr2@example.org", "translator")  # someone else who may read it
    before = answer_row(demo_app, rid)
    translator.get(f"/staff/translate/{rid}?to=en")
    page = translator.submit({"text": "half a"}, button=("action", "cannot_read"))
    assert page.url == "/staff/translate/" and "Someone else will translate it." in page.text
    assert "Nothing here. Well done." in page.text
    assert translations(demo_app, rid) == []
    assert answer_row(demo_app, rid) == before
    with demo_app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "translation.cannot_read")
        )
        assert (event.object_id, event.actor_id, event.new_state) == (
            rid,
            translator_id,
            {"language": "en"},
        )


def test_only_approved_answers_and_working_languages_open(
    demo_app: Flask, translator: Browser
) -> None:
    [pending] = submitted_answers(demo_app, [ARABIC], lang="ar")
    assert translator.get(f"/staff/translate/{pending}?to=en").status == 404
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    assert translator.get(f"/staff/translate/{rid}?to=fr").status == 404  # not a working language
    assert translator.get(f"/staff/translate/{rid}?to=ar").status == 404  # its own language
    assert translator.get(f"/staff/translate/{rid}?to=xx-bogus").status == 404
    assert translator.get(f"/staff/translate/{rid}").status == 200  # the first one needed


@pytest.mark.parametrize("role", ["moderator", "organiser"])
def test_staff_without_the_translator_role_are_refused(demo_app: Flask, role: str) -> None:
    [rid] = approved_answers(demo_app, [ARABIC], lang="ar")
    staff_member(demo_app, f"{role}@example.org", role)
    browser = log_in(demo_app, f"{role}@example.org")
    assert browser.get("/staff/translate/").status == 403
    assert browser.get(f"/staff/translate/{rid}?to=en").status == 403
    assert "/staff/translate/" not in browser.get("/staff/").html


def test_translators_and_admins_find_the_desk_on_the_staff_home(
    demo_app: Flask, translator: Browser
) -> None:
    assert "/staff/translate/" in translator.get("/staff/").html
    staff_member(demo_app, "admin@example.org", "admin")
    admin = log_in(demo_app, "admin@example.org")
    assert admin.get("/staff/translate/").status == 200
