"""Every participant in their own language: catalogs, choice, right-to-left, content, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.i18n import catalogs
from consult.i18n.languages import language_info
from consult.models import RecommendationText, Response
from tests.support.browser import Browser
from tests.support.journey import SLUG, answer, submissions

ROOT = Path(__file__).resolve().parents[2]
ISSUE_LANGUAGES = [
    "en",
    "ar",
    "fa",
    "ps",
    "ur",
    "uk",
    "ru",
    "es",
    "fr",
    "sw",
    "so",
    "ti",
    "tr",
    "ht",
]
RTL = {"ar", "fa", "ps", "ur"}


def test_all_fourteen_languages_are_offered(app: Flask) -> None:
    assert app.config["CONSULT_LANGUAGES"] == ISSUE_LANGUAGES


def test_every_catalog_is_complete_without_fuzzy_entries_and_with_matching_placeholders() -> None:
    reports = catalogs.check_all()
    assert sorted(r.language for r in reports) == sorted(ISSUE_LANGUAGES[1:])
    problems = [f"{r.language}: {p}" for r in reports for p in r.problems]
    assert problems == []


def test_a_half_translated_catalog_fails_the_check(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    with catalogs.POT.open("rb") as handle:
        template = read_po(handle)
    source = (catalogs.TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    broken = source.replace('msgstr "Retour"', 'msgstr ""', 1)
    progress = r'(msgid "Idea %\(num\)s of %\(total\)s"\nmsgstr ")[^"]*"'
    broken = re.sub(progress, r'\1Idée %(n)s"', broken)
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(broken, "utf-8")
    report = catalogs.check_catalog(folder / "messages.po", template)
    assert "untranslated: 'Back'" in report.problems
    assert "placeholders differ: 'Idea %(num)s of %(total)s'" in report.problems


def test_template_text_is_not_extracted_again_differently() -> None:
    assert catalogs.extract_is_current(), "run `make translations`"


# Text outside {{ }} / {% %} in a template is user-facing text that gettext would miss.
TEMPLATE_ALLOWED = {"Consult", "·"}
# Keyboard keys in <kbd> are keys, not words.
_TAGS = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}|<kbd>\w</kbd>", re.DOTALL)
_MARKUP = re.compile(r"<[^>]+>|[\w-]+=\"[^\"]*\"")  # tags, and attributes that macros emit


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_text_outside_gettext(template: Path) -> None:
    source = _MARKUP.sub(" ", _TAGS.sub(" ", template.read_text("utf-8")))
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", source) if w not in TEMPLATE_ALLOWED]
    assert words == [], f"{template.name}: untranslated text {words[:10]}"


@pytest.mark.parametrize("code", ISSUE_LANGUAGES)
def test_each_page_names_its_language_and_direction(browser: Browser, code: str) -> None:
    page = browser.get(f"/{code}/")
    html = page.soup.find("html")
    assert html["lang"] == code
    assert html["dir"] == ("rtl" if code in RTL else "ltr")
    assert language_info(code).direction == html["dir"]


def test_picker_shows_endonyms_from_cldr_and_keeps_the_step(browser: Browser) -> None:
    page = browser.get("/en/")
    links = {a["hreflang"]: a.get_text(strip=True) for a in page.soup.select(".language-grid a")}
    assert links["ar"] == "العربية" and links["ti"] == "ትግርኛ" and links["uk"] == "Українська"
    assert len(links) == 14
    browser.get(f"/en/c/{SLUG}/")
    browser.submit({"agree": "y"})
    answer(browser, "agree", "my first answer")
    page = browser.page
    switch = page.soup.select_one('.language-menu a[hreflang="ar"]')
    assert switch["href"] == f"/ar/c/{SLUG}/q/2"
    page = browser.get(f"/ar/c/{SLUG}/q/1")
    assert page.checked("stance") == ["agree"]
    assert page.field_value("text") == "my first answer"


def test_bare_url_uses_cookie_then_accept_language_then_default(demo_app: Flask) -> None:
    client = demo_app.test_client()
    assert client.get("/").headers["Location"] == "/en/"
    accept = {"Accept-Language": "ti-ER,ti;q=0.9,en;q=0.5"}
    assert client.get("/", headers=accept).headers["Location"] == "/ti/"
    accept = {"Accept-Language": "de-DE,prs;q=0.8"}
    assert client.get("/", headers=accept).headers["Location"] == "/fa/"
    client.get("/uk/")  # visiting a page in Ukrainian remembers it
    assert client.get("/", headers={"Accept-Language": "ti"}).headers["Location"] == "/uk/"


def test_unknown_language_codes_redirect_to_the_best_match(demo_app: Flask) -> None:
    client = demo_app.test_client()
    assert client.get(f"/AR/c/{SLUG}/").headers["Location"] == f"/ar/c/{SLUG}/"
    assert client.get("/fa-AF/").headers["Location"] == "/fa/"
    response = client.get("/de/", headers={"Accept-Language": "so"})
    assert response.status_code == 302 and response.headers["Location"] == "/so/"


def _journey(browser: Browser, code: str, texts: list[str]) -> None:
    page = browser.get(f"/{code}/c/{SLUG}/")
    assert page.status == 200
    browser.submit({"agree": "y"})
    for position, text in enumerate(texts, start=1):
        page = browser.page
        assert page.soup.find("html")["lang"] == code
        assert page.soup.find(class_="fallback-notice") is None
        assert page.soup.select_one(".recommendation h1")["lang"] == code
        answer(browser, "agree" if position % 2 else "disagree", text)
    for _ in range(len(texts), 8):
        answer(browser, None)
    assert browser.page.url == f"/{code}/c/{SLUG}/about"
    browser.submit({"stage": "transit"}, button=("action", "next"))
    page = browser.submit()
    assert page.url == f"/{code}/c/{SLUG}/thanks"
    assert page.soup.find("html")["lang"] == code


def _recommendation_title(app: Flask, code: str, position: int = 1) -> str:
    with app.app_context():
        return db.session.scalar(
            sa.select(RecommendationText.title)
            .join(RecommendationText.recommendation)
            .where(RecommendationText.language == code)
            .where(RecommendationText.recommendation.has(position=position))
        )


def test_whole_journey_in_arabic(browser: Browser, demo_app: Flask) -> None:
    page = browser.get(f"/ar/c/{SLUG}/q/1")  # no draft yet: back to the consent page, in Arabic
    assert page.url == f"/ar/c/{SLUG}/"
    assert page.soup.find("html")["dir"] == "rtl"
    texts = [
        "نحتاج إلى محامين يتكلمون لغتنا ويفهمون وضعنا.",
        "يجب أن تسألنا الحكومة قبل أن تقرر أي شيء عنا.",
    ]
    _journey(browser, "ar", texts)
    [submission] = submissions(demo_app)
    assert submission.language == "ar"
    written = [r for r in submission.responses if r.text]
    assert {r.text_language for r in written} == {"ar"}
    assert {r.detected_language for r in written} == {"ar"}
    assert not any(r.needs_language_review for r in written)


def test_whole_journey_in_tigrinya(browser: Browser, demo_app: Flask) -> None:
    page = browser.get(f"/ti/c/{SLUG}/")
    assert _recommendation_title(demo_app, "ti") not in (None, "")
    assert page.soup.find("html")["dir"] == "ltr"
    texts = ["ጠበቓ ብነጻ ክወሃበና ኣለዎ፣ ምኽንያቱ ገንዘብ የብልናን።", "ቆልዑ ክእሰሩ የብሎምን።"]
    _journey(browser, "ti", texts)
    [submission] = submissions(demo_app)
    written = [r for r in submission.responses if r.text]
    assert {(r.text_language, r.detected_language) for r in written} == {("ti", "ti")}


def test_answer_in_another_language_is_marked_for_a_translator(
    browser: Browser, demo_app: Flask
) -> None:
    browser.get(f"/fr/c/{SLUG}/")
    browser.submit({"agree": "y"})
    answer(browser, "agree", "Мы ждём решения по убежищу уже два года, без адвоката.")
    with demo_app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert response.text_language == "fr"
        assert response.detected_language == "ru"
        assert response.needs_language_review is True


def test_question_page_in_arabic_shows_translated_content_and_mirrors(
    browser: Browser, demo_app: Flask
) -> None:
    browser.get(f"/ar/c/{SLUG}/")
    page = browser.submit({"agree": "y"})
    assert _recommendation_title(demo_app, "ar") in page.text
    assert page.soup.find("textarea")["dir"] == "auto"
    assert page.soup.select(".icon-directional")  # arrows flip through CSS in rtl
    assert "Idea 1 of 8" not in page.text  # the progress line is translated


def test_numbers_are_formatted_for_the_locale(browser: Browser) -> None:
    browser.get(f"/fa/c/{SLUG}/")
    page = browser.submit({"agree": "y"})
    assert "۱" in page.soup.find(class_="progress-label").get_text()  # Persian digits


def test_missing_content_translation_falls_back_visibly(browser: Browser, demo_app: Flask) -> None:
    with demo_app.app_context():
        db.session.execute(sa.delete(RecommendationText).where(RecommendationText.language == "sw"))
        db.session.commit()
    browser.get(f"/sw/c/{SLUG}/")
    page = browser.submit({"agree": "y"})
    notice = page.soup.find(class_="fallback-notice")
    assert notice is not None and "English" in notice.get_text()
    heading = page.soup.select_one(".recommendation h1")
    assert heading["lang"] == "en" and heading["dir"] == "ltr"
    assert "free help from a lawyer" in heading.get_text()


@pytest.mark.parametrize("code", ["ar", "ti", "uk"])
def test_error_pages_are_translated(demo_app: Flask, code: str) -> None:
    client = demo_app.test_client()
    english = Browser(demo_app.test_client())
    not_found = Browser(client).get(f"/{code}/c/nothing-here/")
    assert not_found.status == 404
    assert "We could not find this page" in english.get("/en/c/nothing-here/").text
    assert "We could not find this page" not in not_found.text
    assert not_found.soup.find("html")["lang"] == code


def test_languages_page_shows_review_status(browser: Browser) -> None:
    page = browser.get("/en/languages")
    assert page.status == 200
    rows = {row.th.get_text(strip=True): row for row in page.soup.select("tbody tr")}
    assert len(rows) == 14
    assert "Original language" in rows["English"].get_text()
    assert "Draft, not yet checked by a native speaker" in rows["العربية"].get_text()


def test_csrf_rate_limit_and_server_error_pages_are_translated(
    demo_app: Flask, monkeypatch
) -> None:
    from consult.participation import operations as participation

    browser = Browser(demo_app.test_client())
    browser.get(f"/ar/c/{SLUG}/")
    page = browser.submit({"agree": "y", "csrf_token": None})
    assert page.status == 400 and page.soup.find("html")["dir"] == "rtl"
    assert "Please send this again" not in page.text

    statuses = []
    for _ in range(11):
        browser.get("/ar/r/")
        statuses.append(browser.submit({"code": "ABCD-EFGH-2345"}).status)
    assert statuses[-1] == 429
    assert (
        "Too many tries" not in browser.page.text and browser.page.soup.find("html")["lang"] == "ar"
    )

    def broken(*_args: object) -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(participation, "start_draft", broken)
    browser.get(f"/ar/c/{SLUG}/")
    page = browser.submit({"agree": "y"})
    assert page.status == 500
    assert "Something went wrong on our side" not in page.text
    assert page.soup.find("html")["lang"] == "ar"
