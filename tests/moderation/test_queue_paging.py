"""The moderation queue and the audit log, read page by page (keyset, `consult.staff.paging`).

With the page size lowered to a few rows, walking "Next page" and back with "Previous page", with
and without filters: every matching row appears exactly once, in order, and nothing else does; the
count is exact up to its bound and "N+" beyond it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from consult import audit
from consult.audit import views as audit_views
from consult.core.extensions import db
from consult.models import AuditEvent, Recommendation, Response, StaffUser, Submission
from consult.models import audit as audit_model
from consult.moderation import views as moderation_views
from consult.moderation.operations import Decision, decide
from consult.staff import paging
from tests.support.browser import Browser, Page
from tests.support.factories import draft_answers, staff_member, submitted_answers
from tests.support.staff import log_in

PAGE_SIZE = 4
PLAIN = "Free lawyers would save families years of waiting."
PHONE = "Call my brother on +49 151 23456789, he knows the lawyer."
ARABIC = "نحتاج إلى محامين يتكلمون لغتنا، وإلا نوقع أوراقاً لا نفهمها."
ARABIC_PHONE = "اتصلوا بأخي على الرقم +49 151 23456789 فهو يعرف المحامي."
FRENCH = "Nous avons besoin d'avocats qui parlent notre langue pour comprendre les papiers."
ADMIN = "admin@example.org"
SECOND = "second@example.org"


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moderation_views, "PAGE_SIZE", PAGE_SIZE)
    monkeypatch.setattr(audit_views, "PAGE_SIZE", PAGE_SIZE)


DAY = datetime(2026, 3, 1, 9, 30)


@pytest.fixture
def audit_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit log's clock starts on DAY and moves three hours per event, so the test's events
    spread over days, in time order as the log is always written."""
    moments = (DAY + timedelta(hours=3 * n) for n in itertools.count())
    monkeypatch.setattr(audit_model, "utcnow", lambda: next(moments))


@pytest.fixture
def answers(demo_app: Flask, audit_clock: None) -> list[int]:
    """28 written answers from six participants (English, Arabic, French; Arabic written in the
    English interface; some with a phone number), a stance-only answer and an unsent draft; a
    third approved and some rejected."""
    staff_member(demo_app, ADMIN, "admin", "moderator")
    staff_member(demo_app, SECOND, "moderator")
    ids: list[int] = []
    for lang, texts in [
        ("en", [PLAIN, PHONE, ARABIC, PLAIN, PHONE, ""]),
        ("ar", [ARABIC, ARABIC_PHONE, ARABIC, ARABIC, ARABIC_PHONE]),
        ("fr", [FRENCH, FRENCH, PHONE]),
        ("en", [ARABIC, PLAIN, PLAIN, ARABIC_PHONE, PLAIN]),
        ("ar", [ARABIC, ARABIC, ARABIC_PHONE, ARABIC, PLAIN]),
        ("en", [PLAIN, PHONE, ARABIC, PLAIN, PLAIN]),
    ]:
        ids += submitted_answers(demo_app, texts, lang=lang)
    draft_answers(demo_app, [PLAIN, ARABIC])
    with demo_app.app_context():
        moderators = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.id)))
        written = db.session.scalars(
            sa.select(Response).where(Response.text.is_not(None)).order_by(Response.id)
        ).all()
        for n, response in enumerate(r for r in written if r.id in ids):
            if n % 3 == 0:
                decide(response, moderators[n % 2], Decision.APPROVE)
            elif n % 7 == 1:
                decide(response, moderators[n % 2], Decision.REJECT)
        db.session.commit()
    return ids


@pytest.fixture
def admin(demo_app: Flask, answers: list[int], small_pages: None) -> Browser:
    return log_in(demo_app, ADMIN)


def expected_answers(app: Flask, **wanted: object) -> list[int]:
    """The queue worked out the slow, obvious way: every submitted written answer, filtered in
    Python, oldest first."""
    state = wanted.get("state", "pending")
    with app.app_context():
        rows = db.session.execute(
            sa.select(Response, Recommendation.position, Submission.consultation_id)
            .join(Response.recommendation)
            .join(Response.submission)
            .where(Submission.state == "submitted", Response.text.is_not(None))
            .order_by(Response.id)
        ).all()
    language = wanted.get("language")
    personal = wanted.get("personal_data")
    return [
        response.id
        for response, position, consultation_id in rows
        if response.moderation_state == state
        and (language is None or language in (response.detected_language, response.text_language))
        and (personal is None or (response.personal_data_kinds is not None) == (personal == "yes"))
        and wanted.get("recommendation") in (None, position)
        and wanted.get("consultation") in (None, consultation_id)
    ]


def queue_ids(page: Page) -> list[int]:
    return [int(a["href"].rsplit("/", 1)[1]) for a in page.soup.select("li.queue-item .meta a")]


def audit_ids(page: Page) -> list[tuple[str, str]]:
    return [
        (row.select("td")[2].get_text(strip=True), row.select("td")[3].get_text(strip=True))
        for row in page.soup.select("tbody tr")
    ]


def link(page: Page, text: str) -> str | None:
    anchor = page.soup.select_one(f"nav[aria-label] a:-soup-contains('{text}')")
    return anchor["href"] if anchor else None


def forward_from(browser: Browser, url: str) -> list[Page]:
    """The page at `url` and every page after it, following "Next page"."""
    pages = [browser.get(url)]
    while (following := link(pages[-1], "Next page")) is not None:
        assert len(pages) < 50, "the pager never ends"
        pages.append(browser.get(following))
    return pages


def walk(browser: Browser, url: str, rows: Callable[[Page], list]) -> list[list]:
    """Follow "Next page" from the first page at `url` to the end, then "Previous page" back to
    the start; returns the pages in order, after checking that the way back shows the same."""
    forward = forward_from(browser, url)
    backward = [forward[-1]]
    while (previous := link(backward[-1], "Previous page")) is not None:
        assert len(backward) < 50, "the pager never ends"
        backward.append(browser.get(previous))
    pages = [rows(page) for page in forward]
    assert [rows(page) for page in reversed(backward)] == pages
    for n, page in enumerate(forward):
        assert page.status == 200
        # The first page offers no way back; every other one offers the first page.
        assert (link(page, "First page") is None) == (n == 0)
        assert (link(page, "Previous page") is None) == (n == 0)
    assert link(backward[-1], "First page") is None  # back at the start
    return pages


QUEUE_FILTERS: list[dict[str, object]] = [
    {},
    {"state": "approved"},
    {"state": "rejected"},
    {"language": "ar"},
    {"language": "en"},
    {"language": "fr", "state": "approved"},
    {"personal_data": "yes"},
    {"personal_data": "no", "language": "ar"},
    {"recommendation": 1},
    {"recommendation": 3, "language": "ar"},
    {"consultation": 1},
    {"consultation": 1, "recommendation": 2, "personal_data": "no"},
    {"consultation": 999},
    {"recommendation": 99},
]


@pytest.mark.parametrize("filters", QUEUE_FILTERS, ids=lambda f: "&".join(map(str, f.items())))
def test_queue_pages_show_each_matching_answer_once_in_order(
    demo_app: Flask, admin: Browser, filters: dict[str, object]
) -> None:
    expected = expected_answers(demo_app, **filters)
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    pages = walk(admin, f"/staff/moderate/?{query}", queue_ids)
    assert [answer for page in pages for answer in page] == expected
    assert all(len(page) == PAGE_SIZE for page in pages[:-1])
    assert len(pages) == max(1, -(-len(expected) // PAGE_SIZE))
    first = admin.get(f"/staff/moderate/?{query}")
    noun = "answer" if len(expected) == 1 else "answers"
    assert f"{len(expected)} {noun}" in first.text


def test_the_test_data_makes_the_filters_matter(demo_app: Flask, answers: list[int]) -> None:
    """Each filter of the walk above keeps some answers and drops others (else it tests little)."""
    everything = set(expected_answers(demo_app))
    assert len(everything) > 3 * PAGE_SIZE
    for filters in QUEUE_FILTERS[3:10]:
        matching = set(expected_answers(demo_app, **{"state": "pending", **filters}))
        state = filters.get("state", "pending")
        if state == "pending":
            assert matching and matching < everything, filters
    # An answer written in Arabic in the English interface is found under both languages.
    assert set(expected_answers(demo_app, language="ar")) & set(
        expected_answers(demo_app, language="en")
    )


def test_links_keep_the_filters_and_hold_only_an_id(demo_app: Flask, admin: Browser) -> None:
    page = admin.get("/staff/moderate/?language=ar&personal_data=no")
    following = link(page, "Next page")
    assert following is not None
    query = parse_qs(urlsplit(following).query)
    assert query["language"] == ["ar"] and query["personal_data"] == ["no"]
    assert query["after"] == [str(queue_ids(page)[-1])] and "page" not in query


def test_deciding_between_pages_skips_nothing_and_repeats_nothing(
    demo_app: Flask, admin: Browser
) -> None:
    """With OFFSET, each answer decided on page 1 would push an answer from page 2 onto page 1,
    unseen. The keyset continues after the last answer shown."""
    expected = expected_answers(demo_app)
    first = admin.get("/staff/moderate/")
    shown = queue_ids(first)
    admin.submit(
        {"selected": [str(i) for i in shown[:2]]},
        button=("action", "approve"),
        action_contains="bulk",
    )
    rest = forward_from(admin, link(first, "Next page"))
    assert shown + [answer for page in rest for answer in queue_ids(page)] == expected


@pytest.mark.parametrize("filters", [{}, {"language": "ar"}, {"recommendation": 1}])
def test_the_count_is_exact_up_to_its_bound(
    demo_app: Flask, admin: Browser, monkeypatch: pytest.MonkeyPatch, filters: dict
) -> None:
    total = len(expected_answers(demo_app, **filters))
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    for bound, shown in [
        (total + 1, f"{total} "),
        (total, f"{total} "),
        (total - 1, f"{total - 1}+ "),
    ]:
        monkeypatch.setattr(paging, "COUNT_BOUND", bound)
        assert shown + "answers" in admin.get(f"/staff/moderate/?{query}").text, bound


def test_a_big_count_is_written_for_the_locale(app: Flask) -> None:
    with app.test_request_context("/"):
        assert paging.Count(1000, more=True).label == "1,000+"
        assert paging.Count(7).label == "7"


def test_after_a_decision_the_next_answer_waiting_comes_next(
    demo_app: Flask, admin: Browser
) -> None:
    waiting = expected_answers(demo_app)
    admin.get(f"/staff/moderate/{waiting[1]}")
    page = admin.submit(button=("action", "approve"))
    assert page.url == f"/staff/moderate/{waiting[2]}"
    admin.get(f"/staff/moderate/{waiting[-1]}")
    page = admin.submit(button=("action", "approve"))
    assert page.url == f"/staff/moderate/{waiting[0]}"  # from the last one back to the oldest


def test_cursors_that_are_not_ids_give_the_first_page(demo_app: Flask, admin: Browser) -> None:
    first = queue_ids(admin.get("/staff/moderate/"))
    for query in ["after=%D9%A3", "before=x", "after=-1", "after=99999999999999", "page=2"]:
        page = admin.get(f"/staff/moderate/?{query}")
        assert page.status == 200 and queue_ids(page) == first, query
    # Past the end: nothing, and a way back to the first page.
    page = admin.get("/staff/moderate/?after=2147483647")
    assert queue_ids(page) == [] and link(page, "First page") is not None


# --- the audit log -------------------------------------------------------------------------------


@pytest.fixture
def events(demo_app: Flask, answers: list[int]) -> None:
    """More events, besides those of the accounts, the decisions and the log-ins."""
    with demo_app.app_context():
        actors = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.id)))
        for n in range(20):
            audit.record(
                ["moderation.original_viewed", "staff.login", "staff.logout"][n % 3],
                actors[n % 2],
                object_type="response" if n % 3 == 0 else "staff_user",
                object_id=n,
            )
            db.session.commit()


def expected_events(app: Flask, **wanted: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).all()
    action = wanted.get("action", "")
    since = datetime.fromisoformat(wanted["since"]) if "since" in wanted else None
    until = datetime.fromisoformat(wanted["until"]) if "until" in wanted else None
    return [
        (e.action, f"{e.object_type} {e.object_id}" if e.object_type else "")
        for e in rows
        if (
            not action
            or e.action == action
            or (action.endswith(".") and e.action.startswith(action))
        )
        and wanted.get("actor", e.actor_label).lower() == e.actor_label
        and wanted.get("object_type", e.object_type) == e.object_type
        and (since is None or e.at >= since)
        and (until is None or e.at < until)
    ]


AUDIT_FILTERS: list[dict[str, str]] = [
    {},
    {"action": "moderation.approved"},
    {"action": "moderation."},
    {"action": "staff."},
    {"action": "staff.log"},  # neither an action nor a family: nothing
    {"actor": "SECOND@example.org"},
    {"actor": "second@example"},  # a part of an address finds nothing
    {"object_type": "staff_user", "actor": ADMIN},
    {"since": "2026-03-02", "until": "2026-03-04"},
    {"since": "2026-03-03", "action": "staff."},
    {"until": "2026-03-02"},
    {"since": "2030-01-01"},
]


@pytest.mark.parametrize("filters", AUDIT_FILTERS, ids=lambda f: "&".join(map(str, f.items())))
def test_audit_pages_show_each_matching_event_once_newest_first(
    demo_app: Flask, events: None, admin: Browser, filters: dict[str, str]
) -> None:
    expected = expected_events(demo_app, **filters)
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    pages = walk(admin, f"/staff/admin/audit?{query}", audit_ids)
    assert [event for page in pages for event in page] == expected
    assert len(pages) == max(1, -(-len(expected) // PAGE_SIZE))
    noun = "event" if len(expected) == 1 else "events"
    assert f"{len(expected)} {noun}" in admin.get(f"/staff/admin/audit?{query}").text


def test_the_audit_filters_keep_some_events_and_drop_others(
    demo_app: Flask, events: None, admin: Browser
) -> None:
    everything = expected_events(demo_app)
    assert len(everything) > 3 * PAGE_SIZE
    for filters in AUDIT_FILTERS[1:4] + AUDIT_FILTERS[5:6] + AUDIT_FILTERS[7:11]:
        assert 0 < len(expected_events(demo_app, **filters)) < len(everything), filters


def test_the_audit_count_is_exact_up_to_its_bound(
    demo_app: Flask, events: None, admin: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = len(expected_events(demo_app, action="staff."))
    for bound, shown in [(total, f"{total} events"), (total - 1, f"{total - 1}+ events")]:
        monkeypatch.setattr(paging, "COUNT_BOUND", bound)
        assert shown in admin.get("/staff/admin/audit?action=staff.").text, bound


def test_the_action_filter_offers_every_recorded_action(
    demo_app: Flask, events: None, admin: Browser
) -> None:
    page = admin.get("/staff/admin/audit")
    offered = [o["value"] for o in page.soup.select("#f-action option") if o["value"]]
    with demo_app.app_context():
        recorded = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    assert sorted(offered) == sorted(recorded) and len(offered) == len(set(offered))
