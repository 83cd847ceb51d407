"""A participant's whole journey through the demo consultation, through the real forms."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Recommendation, Response, Submission
from consult.participation.receipts import ALPHABET
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, start, submissions

RECEIPT = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def test_home_lists_the_open_consultation_and_links_to_it(browser: Browser) -> None:
    page = browser.get("/")
    assert page.url == "/en/"
    assert page.status == 200
    assert "Leave no migrant or refugee behind" in page.text
    assert page.soup.find("a", href=f"/en/c/{SLUG}/") is not None


def test_taking_part_requires_explicit_consent(browser: Browser, demo_app: Flask) -> None:
    page = browser.get(f"/en/c/{SLUG}/")
    assert "how we use your answers" in page.text
    for fact in ("do not ask for your name", "moderators", "two years", "delete all your answers"):
        assert fact in page.text
    page = browser.submit({"agree": None})
    assert page.status == 422
    assert "tick the box" in page.text
    assert submissions(demo_app) == []


def test_whole_journey_stores_answers_and_gives_a_receipt(
    browser: Browser, demo_app: Flask
) -> None:
    page = start(browser)
    assert page.url == f"/en/c/{SLUG}/q/1"
    assert "Idea 1 of 8" in page.text
    assert "free help from a lawyer" in page.text

    decomposed = unicodedata.normalize("NFD", "Les avocats coûtent cher. Été 2016.")
    page = answer(browser, "agree", decomposed)
    assert page.url == f"/en/c/{SLUG}/q/2"
    page = answer(browser, "disagree", "")
    page = answer(browser, None, "Not sure what this means.")  # text without a stance
    for _ in range(4, 8):
        page = answer(browser, None)  # skipped
    page = answer(browser, "partly", "Families wait for years.\r\nIt must be faster.")
    assert page.url == f"/en/c/{SLUG}/about"

    page = browser.submit(
        {"stage": "destination", "groups": ["woman_or_girl", "disability"], "age_band": "30_44"},
        button=("action", "next"),
    )
    assert page.url == f"/en/c/{SLUG}/review"
    assert "Les avocats coûtent cher" in page.text
    assert "A woman or a girl" in page.text and "30 to 44" in page.text

    page = browser.submit()
    assert page.url == f"/en/c/{SLUG}/thanks"
    code = page.soup.find(class_="receipt-code").get_text(strip=True)
    assert RECEIPT.match(code), code

    [submission] = submissions(demo_app)
    assert submission.state == "submitted"
    assert submission.language == "en"
    assert submission.submitted_on is not None
    assert submission.draft_token is None and submission.draft_expires_at is None
    assert submission.receipt_hash and code.replace("-", "") not in submission.receipt_hash
    assert submission.stage == "destination" and submission.age_band == "30_44"
    assert sorted(g.group for g in submission.groups) == ["disability", "woman_or_girl"]

    by_position = {}
    with demo_app.app_context():
        for response in db.session.scalars(sa.select(Response)):
            rec = db.session.get(Recommendation, response.recommendation_id)
            by_position[rec.position] = response
    assert len(by_position) == 8
    first = by_position[1]
    assert first.stance == "agree"
    assert first.text == unicodedata.normalize("NFC", decomposed)
    assert first.text_language == "en"
    assert first.moderation_state == "pending"
    assert by_position[2].stance == "disagree" and by_position[2].text is None
    assert by_position[2].moderation_state is None  # stance only: counted without moderation
    assert by_position[3].stance == "skipped" and by_position[3].moderation_state == "pending"
    assert by_position[8].text == "Families wait for years.\nIt must be faster."


def test_back_and_forward_keep_answers(browser: Browser) -> None:
    start(browser)
    answer(browser, "partly", "First thoughts")
    page = answer(browser, "agree", "Second", button="back")
    assert page.url == f"/en/c/{SLUG}/q/1"
    assert page.checked("stance") == ["partly"]
    assert page.field_value("text") == "First thoughts"
    page = answer(browser, "partly", "First thoughts")
    assert page.checked("stance") == ["agree"]
    assert page.field_value("text") == "Second"


def test_change_from_review_returns_to_review(browser: Browser) -> None:
    start(browser)
    answer(browser, "agree", "x")
    browser.get(f"/en/c/{SLUG}/review")
    link = browser.page.soup.find("a", href=f"/en/c/{SLUG}/q/1?from=review")
    assert link is not None
    browser.get(link["href"])
    page = browser.submit({"stance": "disagree"}, button=("action", "review"))
    assert page.url == f"/en/c/{SLUG}/review"
    assert "I disagree" in page.text


def test_about_you_is_optional_and_prefer_not_to_say(browser: Browser, demo_app: Flask) -> None:
    start(browser)
    answer(browser, "agree")
    browser.get(f"/en/c/{SLUG}/about")
    page = browser.submit(
        {"stage": "prefer_not", "groups_declined": "y", "groups": ["lgbtqi"]},
        button=("action", "next"),
    )
    assert page.url == f"/en/c/{SLUG}/review"
    [draft] = submissions(demo_app)
    assert draft.stage == "prefer_not" and draft.age_band is None
    assert draft.groups_declined and draft.groups == []


def test_receipt_page_shows_status_and_deletes_everything(
    browser: Browser, demo_app: Flask
) -> None:
    start(browser)
    answer(browser, "agree", "We need lawyers who speak our language.")
    answer(browser, "disagree")
    browser.get(f"/en/c/{SLUG}/review")
    page = browser.submit()
    code = page.soup.find(class_="receipt-code").get_text(strip=True)

    other = Browser(demo_app.test_client())  # a different phone, days later
    other.get("/en/r/")
    page = other.submit({"code": code.lower().replace("-", " ")})
    assert page.status == 200
    assert "We need lawyers who speak our language." in page.text
    assert "waiting to be read by a moderator" in page.text
    assert "Received and counted" in page.text

    page = other.submit({"confirm": None}, action_contains="/delete")
    assert page.status == 422 and "confirm" in page.text
    assert len(submissions(demo_app)) == 1

    page = other.submit({"confirm": "y"}, action_contains="/delete")
    assert page.url == "/en/r/deleted"
    assert "Your answers were deleted" in page.text
    with demo_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    other.get("/en/r/")
    assert other.submit({"code": code}).status == 404


def test_receipt_lookup_form_accepts_forgiving_input(browser: Browser) -> None:
    start(browser)
    answer(browser, "agree")
    browser.get(f"/en/c/{SLUG}/review")
    code = browser.submit().soup.find(class_="receipt-code").get_text(strip=True)
    browser.get("/en/r/")
    page = browser.submit({"code": "  " + code.lower().replace("-", " ") + " "})
    assert page.status == 200 and "Your answers" in page.text
    assert page.field_value("code") == code  # understood as the code, written as it was shown
