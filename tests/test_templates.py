"""Templates: every page names itself, errors link to their fields, the staff areas are listed once,
and the site has an icon."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask, render_template_string, url_for
from jinja2 import TemplateRuntimeError, nodes
from wtforms import BooleanField, Form, StringField

from consult.core import paths
from consult.core.extensions import db
from consult.core.security_headers import CONTENT_SECURITY_POLICY
from consult.models import Consultation, Recommendation, Response, StaffUser
from consult.staff.accounts.operations import invite
from tests.support.browser import Browser, Page
from tests.support.journey import SLUG, answer, start
from tests.support.staff import PASSWORD, log_in, make_staff

TEMPLATES = paths.templates_dir()
# Endpoints that answer with something other than an HTML page.
# Health checks answer JSON for a proxy (tests/operations/test_health.py), not a page.
NOT_PAGES = {
    "static",
    "root.favicon",
    "staff.content.export_consultation",
    "health.healthz",
    "health.readyz",
    # The report as a PDF (404 where WeasyPrint is not installed); its HTML page is walked.
    "staff.summaries.report_pdf",
}
# Addresses kept only to answer 404: the first receipt address had the code in it (a code in the
# browser's history is the next person's on a shared phone), so nothing is looked up there.
# The translation desk opens only approved answers (the walk's answer is still pending); its page's
# title is checked in tests/translation/test_desk.py. The results page exists once the
# consultation is published (the walk's is open); its title is checked in tests/outcomes.
NOT_FOUND_BY_DESIGN = {
    "participation.receipt",
    "staff.translation.translate_answer",
    "results.consultation_results",
}


def _page_title(page: Page) -> str:
    title = page.soup.find("title")
    assert title is not None, f"{page.url} has no <title>"
    return " ".join(title.get_text().split())


def _assert_names_itself(page: Page) -> None:
    title = _page_title(page)
    own, _sep, site = title.rpartition(" · ")
    assert site == "Consult", f"{page.url}: {title!r}"
    assert own.strip() and own.strip() != "Consult", (
        f"{page.url} has no title of its own: {title!r}"
    )


def _extends_and_blocks(app: Flask, name: str) -> tuple[str | None, set[str]]:
    source = (TEMPLATES / name).read_text("utf-8")
    tree = app.jinja_env.parse(source)
    parent = next(iter(tree.find_all(nodes.Extends)), None)
    parent_name = (
        parent.template.value if parent and isinstance(parent.template, nodes.Const) else None
    )
    return parent_name, {block.name for block in tree.find_all(nodes.Block)}


def test_every_page_template_has_a_title_block(app: Flask) -> None:
    names = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")]
    parsed = {name: _extends_and_blocks(app, name) for name in names}
    layouts = {parent for parent, _blocks in parsed.values() if parent}
    pages = [name for name, (parent, _blocks) in parsed.items() if parent and name not in layouts]
    assert "participation/home.html" in pages and "staff/home.html" in pages
    assert "staff/layout.html" in layouts
    missing = [name for name in pages if "title" not in parsed[name][1]]
    assert missing == []


def test_a_page_without_a_title_cannot_be_rendered(app: Flask) -> None:
    with app.test_request_context("/en/"):
        with pytest.raises(TemplateRuntimeError, match="title"):
            render_template_string('{% extends "base.html" %}{% block main %}{% endblock %}')
        page = render_template_string(
            '{% extends "base.html" %}{% block title %}{{ "Somewhere" }}{% endblock %}'
        )
    assert "<title>Somewhere · Consult</title>" in page


def _participant_who_sent_answers(app: Flask) -> tuple[Browser, str]:
    participant = Browser(app.test_client())
    start(participant)
    answer(participant, "agree", "Legal help would change everything.")
    participant.get(f"/en/c/{SLUG}/review")
    page = participant.submit()
    assert page.url.endswith("/thanks"), page.text
    return participant, page.soup.select_one(".receipt-code").get_text(strip=True)


def test_every_page_reachable_by_get_has_its_own_title(demo_app: Flask) -> None:
    app = demo_app
    make_staff(app, "admin@example.org", "admin", "moderator", "organiser")
    make_staff(
        app, "two@example.org", "moderator", totp_secret=pyotp.random_base32(), totp_enabled=True
    )
    with app.app_context():
        admin_user = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == "admin@example.org")
        )
        _user, token = invite("new@example.org", ["translator"], admin_user)
        db.session.commit()
    sent, code = _participant_who_sent_answers(app)
    with app.app_context():
        response_id = db.session.scalar(sa.select(Response.id).where(Response.text.is_not(None)))
        recommendation_id = db.session.scalar(
            sa.select(Recommendation.id)
            .join(Consultation)
            .where(Consultation.slug == SLUG)
            .order_by(Recommendation.position)
            .limit(1)
        )

    participant = Browser(app.test_client())
    start(participant)
    answer(participant, "agree", "")
    admin = log_in(app, "admin@example.org")
    anonymous = Browser(app.test_client())
    halfway = Browser(app.test_client())  # between the password and the second factor
    halfway.get("/staff/login")
    halfway.submit({"email": "two@example.org", "password": PASSWORD})
    assert halfway.page is not None and halfway.page.url == "/staff/login/code"

    values = {
        "lang": "en",
        "slug": SLUG,
        "position": 1,
        "code": code,
        "response_id": response_id,
        "token": token,
        "key": "legal-assistance",
        "rid": recommendation_id,
    }
    who = {
        "participation.thanks": sent,
        "staff.accounts.login": anonymous,
        "staff.accounts.accept_invitation": anonymous,
        "staff.accounts.second_factor": halfway,
    }
    endpoints = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        endpoints.append(rule.endpoint)
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        staff_side = rule.endpoint.startswith("staff.")
        browser = who.get(rule.endpoint, admin if staff_side else participant)
        page = browser.get(url)
        expected = 404 if rule.endpoint in NOT_FOUND_BY_DESIGN else 200
        assert page.status == expected, f"{rule.endpoint} {url}: {page.status}"
        assert page.url == url or rule.endpoint == "root.index", f"{url} went to {page.url}"
        _assert_names_itself(page)
    assert "participation.question" in endpoints and "staff.moderation.moderate_answer" in endpoints

    # The pages that only appear when something goes wrong name themselves too.
    assert participant.get("/en/c/no-such-thing/").status == 404
    _assert_names_itself(participant.page)
    participant.get(f"/en/c/{SLUG}/q/1")
    page = participant.submit({"text": "typed", "csrf_token": None}, button=("action", "next"))
    assert page.status == 400 and page.field_value("text") == "typed"
    _assert_names_itself(page)
    page = anonymous.get("/staff/invitation/not-a-real-token")
    assert page.status == 404
    _assert_names_itself(page)


def _assert_summary_links_reach_fields(page: Page) -> None:
    summary = page.soup.select_one(".error-summary")
    assert summary is not None, page.text
    links = summary.select("a[href^='#']")
    assert links, summary
    for link in links:
        target = page.soup.find(id=link["href"][1:])
        assert target is not None, f"{page.url}: {link['href']} leads nowhere"


def test_error_summaries_link_to_fields_that_exist(browser: Browser, demo_app: Flask) -> None:
    browser.get(f"/en/c/{SLUG}/")
    _assert_summary_links_reach_fields(browser.submit({"agree": None}))
    start(browser)
    page = browser.submit({"stance": "bogus"}, button=("action", "next"))
    assert page.status == 422
    _assert_summary_links_reach_fields(page)
    page = browser.get(f"/en/c/{SLUG}/about")
    page = browser.submit({"groups": "bogus"}, button=("action", "next"))
    assert page.status == 422
    _assert_summary_links_reach_fields(page)
    staff = Browser(demo_app.test_client())
    staff.get("/staff/login")
    _assert_summary_links_reach_fields(staff.submit({"email": "", "password": ""}))


def test_an_error_of_the_whole_form_is_shown_once(demo_app: Flask) -> None:
    make_staff(demo_app, "mod@example.org", "moderator")
    _sent, _code = _participant_who_sent_answers(demo_app)
    with demo_app.app_context():
        response_id = db.session.scalar(sa.select(Response.id).where(Response.text.is_not(None)))
    moderator = log_in(demo_app, "mod@example.org")
    moderator.get(f"/staff/moderate/{response_id}")
    page = moderator.submit()  # no decision button pressed
    assert page.status == 422
    assert page.text.count("Choose what to do with this answer.") == 1
    assert len(page.soup.select(".error-summary")) == 1


def test_fields_link_their_hint_and_error(browser: Browser) -> None:
    start(browser)
    page = browser.submit({"text": "x" * 2500}, button=("action", "next"))
    assert page.status == 422
    box = page.soup.find("textarea", attrs={"name": "text"})
    described = box["aria-describedby"].split()
    assert box["aria-invalid"] == "true" and box["dir"] == "auto" and box["rows"] == "6"
    assert [page.soup.find(id=i)["class"] for i in described] == [["hint"], ["field-error"]]
    assert page.soup.find("label", attrs={"for": box["id"]}) is not None
    assert page.field_value("text") == "x" * 2500


def test_field_macros_link_hint_and_error_to_the_input(app: Flask) -> None:
    class Sample(Form):
        name = StringField("Your name")
        agree = BooleanField("I agree")

    form = Sample()
    form.agree.errors = ["Please tick the box."]
    source = (
        '{% from "macros/forms.html" import checkbox, text_field %}'
        '{{ text_field(form.name, hint="Any name", autocomplete="off", required=true) }}'
        '{{ checkbox(form.agree, hint="It matters") }}'
        '{{ text_field(label="Who", id="f-who", name="who", value="x<y", dir="ltr") }}'
    )
    with app.test_request_context("/en/"):
        soup = BeautifulSoup(render_template_string(source, form=form), "html.parser")
    name = soup.find("input", id="name")
    assert (name["type"], name["value"], name["autocomplete"]) == ("text", "", "off")
    assert name.has_attr("required") and name["aria-describedby"] == "name-hint"
    assert "aria-invalid" not in name.attrs
    assert soup.find("label", attrs={"for": "name"}).get_text() == "Your name"
    box = soup.find("input", id="agree")
    assert box["type"] == "checkbox" and box["aria-invalid"] == "true"
    assert box["aria-describedby"] == "agree-hint agree-error"
    assert box.find_next_sibling().name == "label"  # the CSS styles the label after the box
    assert soup.find(id="agree-error").get_text(strip=True) == "Please tick the box."
    who = soup.find("input", id="f-who")
    assert (who["name"], who["value"], who["dir"]) == ("who", "x<y", "ltr")
    assert "type" not in who.attrs and "aria-describedby" not in who.attrs


def _links(page: Page, selector: str) -> list[str]:
    return [a["href"] for a in page.soup.select(selector)]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (("admin",), ["/staff/moderate/", "/staff/safeguarding/", "/staff/admin/staff"]),
        (("moderator",), ["/staff/moderate/"]),
        (("organiser",), ["/staff/safeguarding/"]),
    ],
)
def test_staff_menu_and_home_cards_list_the_same_areas(
    app: Flask, roles: tuple[str, ...], expected: list[str]
) -> None:
    make_staff(app, "someone@example.org", *roles)
    staff = log_in(app, "someone@example.org")
    page = staff.get("/staff/")
    menu, cards = _links(page, ".staff-nav li a"), _links(page, ".cards .card h2 a")
    assert menu == cards
    assert set(expected) <= set(menu) and "/staff/account" in menu
    hidden = {"/staff/moderate/", "/staff/safeguarding/", "/staff/admin/staff"} - set(expected)
    assert not hidden & set(menu)
    for href in menu:
        assert staff.get(href).status == 200, href


def test_site_icon_is_linked_and_favicon_ico_does_not_404(client) -> None:
    page = client.get("/en/languages").get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert match is not None
    href = match.group(1)
    assert href.startswith("/static/")  # this site's own: the policy allows only 'self'
    assert "img-src 'self'" in CONTENT_SECURITY_POLICY
    for url in (href, "/favicon.ico"):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.mimetype.startswith("image/"), (url, response.mimetype)
            icon = response.get_data(as_text=True)
        assert "<svg" in icon and "<script" not in icon and "style=" not in icon
