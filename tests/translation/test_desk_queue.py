"""The translation desk's queue, through its page: which answers it lists, for which target
languages, with its filters, its machine-draft label, "can't read" and paging. Both databases."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from consult.translation import views as desk_views
from tests.support.browser import Browser, Page
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import log_in
from tests.translation.desk_support import (
    ARABIC,
    ENGLISH,
    FRENCH,
    approved_answers,
    machine_draft,
    set_working_languages,
)

TRANSLATOR = "tr@example.org"
OTHER = "tr2@example.org"


@pytest.fixture
def translator(demo_app: Flask) -> Browser:
    staff_member(demo_app, TRANSLATOR, "translator")
    return log_in(demo_app, TRANSLATOR)


def listed(page: Page) -> dict[int, list[str]]:
    """Each listed answer's id with the target languages offered for it (from the links)."""
    items = {}
    for item in page.soup.select(".queue-item"):
        answer = int(item["id"].removeprefix("answer-"))
        items[answer] = [
            parse_qs(urlsplit(link["href"]).query)["to"][0] for link in item.select(".targets a")
        ]
    return items


def test_the_queue_lists_approved_answers_that_need_a_human_translation(
    demo_app: Flask, translator: Browser
) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    english, _ = approved_answers(demo_app, [ENGLISH, ""])  # the second: a stance only
    arabic, french = approved_answers(demo_app, [ARABIC, FRENCH], lang="ar")
    submitted_answers(demo_app, [FRENCH], lang="fr")  # still waiting for a moderator
    page = translator.get("/staff/translate/")
    assert listed(page) == {english: ["ar"], arabic: ["en"], french: ["en", "ar"]}
    assert "3 answers" in page.text
    blockquotes = page.soup.select(".queue-item blockquote")
    assert [b["dir"] for b in blockquotes] == ["auto"] * 3
    assert [b.get("lang") for b in blockquotes] == ["en", "ar", "fr"]


def test_the_queue_shows_the_public_version_not_the_original(
    demo_app: Flask, translator: Browser
) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    original = "Call my brother on +49 151 23456789, he knows the lawyer."
    [rid] = approved_answers(demo_app, [original], redact={0: "Call my brother on [phone]."})
    page = translator.get("/staff/translate/")
    assert listed(page) == {rid: ["ar"]}
    assert "Call my brother on [phone]." in page.text
    assert "23456789" not in page.text
    assert "23456789" not in translator.get(f"/staff/translate/{rid}?to=ar").text


def test_filters_by_source_and_target_language_and_consultation(
    demo_app: Flask, translator: Browser
) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    [english] = approved_answers(demo_app, [ENGLISH])
    [arabic] = approved_answers(demo_app, [ARABIC], lang="ar")
    [french] = approved_answers(demo_app, [FRENCH], lang="fr")
    page = translator.get("/staff/translate/")
    page = translator.get("/staff/translate/?from=ar")
    assert listed(page) == {arabic: ["en"]}
    page = translator.get("/staff/translate/?to=ar")
    assert listed(page) == {english: ["ar"], french: ["ar"]}
    assert "2 answers" in page.text
    page = translator.get("/staff/translate/?from=fr&to=en")
    assert listed(page) == {french: ["en"]}
    page = translator.get("/staff/translate/?consultation=1")
    assert set(listed(page)) == {english, arabic, french}
    assert listed(translator.get("/staff/translate/?consultation=999")) == {}
    # An unknown language is no filter, never an error.
    assert len(listed(translator.get("/staff/translate/?to=xx-bogus"))) == 3


def test_the_filters_are_a_plain_get_form(demo_app: Flask, translator: Browser) -> None:
    form = translator.get("/staff/translate/").form()
    assert (form["method"], form["action"]) == ("get", "/staff/translate/")
    assert [field["name"] for field in form.select("select")] == ["from", "to", "consultation"]
    assert form.select_one("button[type=submit]") is not None


def test_a_machine_draft_is_labelled_and_stays_in_the_queue(
    demo_app: Flask, translator: Browser
) -> None:
    [arabic] = approved_answers(demo_app, [ARABIC], lang="ar")
    machine_draft(demo_app, arabic, "en", "We need lawyers who speak our language.")
    page = translator.get("/staff/translate/")
    assert listed(page) == {arabic: ["en"]}
    assert "Machine translation" in page.soup.select_one(".queue-item .targets").get_text()


def test_cant_read_hides_the_answer_from_that_translator_only(
    demo_app: Flask, translator: Browser
) -> None:
    set_working_languages(demo_app, ["en", "ar"])
    [french] = approved_answers(demo_app, [FRENCH], lang="fr")
    staff_member(demo_app, OTHER, "translator")
    other = log_in(demo_app, OTHER)
    translator.get(f"/staff/translate/{french}?to=en")
    translator.submit(button=("action", "cannot_read"))
    assert listed(translator.get("/staff/translate/")) == {french: ["ar"]}
    page = other.get("/staff/translate/")
    assert listed(page) == {french: ["en", "ar"]}
    assert "Nobody can read this yet" not in page.text
    # When every translator has said so, it comes back for everyone, marked.
    other.get(f"/staff/translate/{french}?to=en")
    other.submit(button=("action", "cannot_read"))
    for browser in (translator, other):
        page = browser.get("/staff/translate/?to=en")
        assert listed(page) == {french: ["en"]}
        assert "Nobody can read this yet" in page.text


def test_pages_of_the_queue(
    demo_app: Flask, translator: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desk_views, "PAGE_SIZE", 2)
    ids = []
    for _ in range(5):
        ids += approved_answers(demo_app, [ARABIC], lang="ar")
    page = translator.get("/staff/translate/")
    seen = list(listed(page))
    while (link := page.soup.select_one("a[rel=next]")) is not None:
        page = translator.get(link["href"])
        seen += list(listed(page))
    assert seen == ids
    assert "5 answers" in page.text
    page = translator.get(page.soup.select_one("a[rel=prev]")["href"])
    assert list(listed(page)) == ids[2:4]
