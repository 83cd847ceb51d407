"""A consultation offers its participants only the interface languages its organiser chose: its
pages' language menu lists those, a page asked for in another language is sent to the reader's
best offered one, and the home page links each consultation in a language it offers."""

from __future__ import annotations

from flask import Flask

from tests.authoring.support import SLUG, create, organiser, press, ready_to_open, translate
from tests.support.browser import Browser, Page

ARABIC_TITLE = "السكن للمهاجرين"


def open_in_english_arabic_pashto(app: Flask) -> None:
    staff = organiser(app)
    assert create(staff, languages=["en", "ar", "ps"]).status == 200
    ready_to_open(staff, recommendations=1)
    translate(app, SLUG, "ar", ARABIC_TITLE, ideas=["الفكرة ١"])
    press(staff, SLUG, "open")


def menu_codes(page: Page) -> list[str]:
    menu = page.soup.find("details", class_="language-menu")
    return [a["hreflang"] for a in menu.find_all("a")]


def test_the_language_menu_lists_only_the_consultations_languages(app: Flask) -> None:
    open_in_english_arabic_pashto(app)
    participant = Browser(app.test_client())
    intro = participant.get(f"/ar/c/{SLUG}/")
    assert intro.status == 200
    assert menu_codes(intro) == ["en", "ar", "ps"]
    # Each entry is this page in that language.
    menu = intro.soup.find("details", class_="language-menu")
    assert menu.find("a", hreflang="ps")["href"] == f"/ps/c/{SLUG}/"
    question = participant.submit({"agree": "y"})
    assert question.url == f"/ar/c/{SLUG}/q/1"
    assert menu_codes(question) == ["en", "ar", "ps"]
    # Pages that belong to no consultation still offer every language of the site.
    assert len(menu_codes(participant.get("/ar/"))) == len(app.config["CONSULT_LANGUAGES"])


def test_a_page_in_a_language_not_offered_goes_to_the_readers_best_offered_one(
    app: Flask,
) -> None:
    open_in_english_arabic_pashto(app)
    client = app.test_client()
    # The browser asks for Persian, then Arabic: Arabic is offered.
    answer = client.get(f"/fa/c/{SLUG}/?x=1", headers={"Accept-Language": "fa, ar;q=0.8"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/ar/c/{SLUG}/?x=1"
    # Nothing of the reader's is offered: the consultation's source language.
    answer = app.test_client().get(f"/fr/c/{SLUG}/q/1", headers={"Accept-Language": "fr"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/en/c/{SLUG}/q/1"
    page = Browser(app.test_client()).get(f"/fr/c/{SLUG}/")
    assert page.url == f"/en/c/{SLUG}/" and page.status == 200


def test_an_answer_posted_in_a_withdrawn_language_is_still_taken(app: Flask) -> None:
    open_in_english_arabic_pashto(app)
    participant = Browser(app.test_client())
    participant.get(f"/ps/c/{SLUG}/")
    participant.submit({"agree": "y"})
    assert participant.get(f"/ps/c/{SLUG}/q/1").status == 200
    staff = organiser(app, "second@example.org")
    staff.get(f"/staff/c/{SLUG}/settings")
    staff.submit({"interface_languages": ["en", "ar"]})
    # The participant had the Pashto form open: what they send is kept, not redirected away.
    page = participant.submit({"stance": "agree", "text": "دا ښه ده"}, button=("action", "next"))
    assert page.status == 200, page.text
    review = participant.get(f"/ps/c/{SLUG}/review")
    assert review.url == f"/en/c/{SLUG}/review"
    assert "دا ښه ده" in review.text


def test_the_home_page_links_a_consultation_in_a_language_it_offers(app: Flask) -> None:
    open_in_english_arabic_pashto(app)
    home = Browser(app.test_client()).get("/fa/", headers={"Accept-Language": "fa, ar;q=0.5"})
    card = home.soup.find("li", class_="card")
    link = card.find("a", class_="button")
    assert link["href"] == f"/ar/c/{SLUG}/" and link["hreflang"] == "ar"
    assert "English" in card.get_text() and "العربية" in card.get_text()
    # In an offered language the card links in the reader's own language, with no list.
    home = Browser(app.test_client()).get("/ps/")
    card = home.soup.find("li", class_="card")
    assert card.find("a", class_="button")["href"] == f"/ps/c/{SLUG}/"
