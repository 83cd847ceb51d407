"""The dashboard on known answers: counts, shares, Wilson bounds, suppression, filters, tests of
differences, the narrative's figures and who may open it (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation
from consult.summaries.dashboard import build_dashboard
from consult.summaries.queries import DashboardFilters
from tests.summaries.known_data import add_people
from tests.support.factories import staff_member
from tests.support.journey import SLUG
from tests.support.staff import log_in

URL = f"/staff/c/{SLUG}/"
MARCH_1, MARCH_5 = date(2026, 3, 1), date(2026, 3, 5)


@pytest.fixture
def known(demo_app: Flask) -> Flask:
    """Recommendation 1 answered by 132 people (62 agree, 10 partly, 40 disagree, 15 not sure,
    5 chose nothing), in English (80), Arabic (50) and Persian (2); recommendation 2 by the English
    (60 of 80 agree) and Arabic speakers (10 of 50 agree) only."""
    app = demo_app
    english = {"language": "en", "stage": "destination", "groups": ("woman_or_girl",)}
    add_people(app, 50, {1: "agree", 2: "agree"}, day=MARCH_1, **english)
    add_people(app, 10, {1: "partly", 2: "agree"}, day=MARCH_1, **english)
    add_people(app, 10, {1: "disagree", 2: "disagree"}, day=MARCH_1, **english)
    add_people(app, 5, {1: "not_sure", 2: "disagree"}, day=MARCH_1, **english)
    add_people(app, 5, {1: "skipped", 2: "disagree"}, day=MARCH_1, **english)
    arabic = {"language": "ar", "stage": "transit"}
    add_people(app, 4, {1: "agree", 2: "agree"}, day=MARCH_5, **arabic)
    add_people(
        app,
        6,
        {1: "agree", 2: "agree"},
        day=MARCH_5,
        texts={1: ("نحتاج إلى محامين.", "approved")},
        **arabic,
    )
    add_people(app, 27, {1: "disagree", 2: "disagree"}, day=MARCH_5, **arabic)
    add_people(
        app,
        3,
        {1: "disagree", 2: "disagree"},
        day=MARCH_5,
        texts={1: ("لا أوافق.", "pending")},
        **arabic,
    )
    add_people(app, 10, {1: "not_sure", 2: "disagree"}, day=MARCH_5, **arabic)
    add_people(
        app, 2, {1: "agree"}, language="fa", stage="origin", groups=("disability",), day=MARCH_5
    )
    # A draft never counts.
    add_people(app, 7, {1: "agree"}, language="fa", state="draft")
    return app


def _board(app: Flask, **filters: object):
    with app.test_request_context():
        consultation = db.session.query(Consultation).filter_by(slug=SLUG).one()
        return build_dashboard(consultation, DashboardFilters(**filters))


def _rec1(board, position: int = 1):
    return next(s for s in board.recommendations if s.recommendation.position == position)


def _organiser(app: Flask):
    staff_member(app, "organiser@example.org", "organiser")
    return log_in(app, "organiser@example.org")


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).replace("&lt;", "<").replace("&#34;", '"')


def test_counts_shares_and_wilson_bounds(known: Flask) -> None:
    board = _board(known)
    assert board.participants_display == "132"
    assert board.totals.answers == 127 + 130  # stances chosen (not "no answer chosen")
    assert board.languages_used == 3
    assert board.totals.awaiting_moderation == 3
    assert board.totals.awaiting_translation == 6  # approved Arabic answers, no human translation
    rec = _rec1(board)
    assert rec.overall.counts == {
        "agree": 62,
        "partly": 10,
        "disagree": 40,
        "not_sure": 15,
        "skipped": 5,
    }
    assert rec.overall.total == 132
    agree = rec.overall.agree
    assert (agree.count, agree.answered) == (62, 127)
    # Wilson 95 % for 62/127, worked out by hand: centre (p + z²/2n)/(1 + z²/n), half-width
    # z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n) with z = 1.959964: 0.488536 ± 0.085651.
    assert agree.interval.low == pytest.approx(0.402885, abs=1e-5)
    assert agree.interval.high == pytest.approx(0.574187, abs=1e-5)
    assert [t for t in board.timeline] == [(MARCH_1, "80", 80), (MARCH_5, "52", 52)]


def test_small_cells_are_hidden_and_cannot_be_recovered(known: Flask) -> None:
    from tests.summaries.attacker import recovered

    rec = _rec1(_board(known))
    languages = {row.key: row for row in rec.breakdowns["language"].rows}
    assert languages["fa"].display["agree"] == "<5"
    assert languages["fa"].display["total"] == "<5"
    assert languages["fa"].agree is None  # no share printed for a hidden count
    stages = {row.key: row for row in rec.breakdowns["stage"].rows}
    assert stages["origin"].display["agree"] == "<5"
    groups = {row.key: row for row in rec.breakdowns["group"].rows}
    assert groups["disability"].display["total"] == "<5"
    assert groups["woman_or_girl"].display["total"] == "80"  # groups overlap: no sum to protect
    # The overall figures stay: complements are taken from the breakdowns first.
    assert rec.overall.display["agree"] == "62"
    # Some other number in each breakdown that adds up to the overall is hidden too...
    for dimension in ("language", "stage"):
        rows = rec.breakdowns[dimension].rows
        assert sum(v == "–" for row in rows for v in row.display.values()) >= 1
    # ... so that, from everything shown, the Persian speakers' count cannot be worked out.
    shown, sums = {}, []
    stances = ["agree", "partly", "disagree", "not_sure", "skipped"]
    for col in [*stances, "total"]:
        shown[("all", col)] = rec.overall.display[col]
    sums.append((("all", "total"), [("all", s) for s in stances]))
    for dimension in ("language", "stage"):
        for row in rec.breakdowns[dimension].rows:
            for col in [*stances, "total"]:
                shown[(dimension, row.key, col)] = row.display[col]
            sums.append(((dimension, row.key, "total"), [(dimension, row.key, s) for s in stances]))
        for col in [*stances, "total"]:
            sums.append(
                (("all", col), [(dimension, r.key, col) for r in rec.breakdowns[dimension].rows])
            )
    assert recovered(shown, sums, 5) == {}


def test_filters_change_every_number(known: Flask) -> None:
    arabic = _rec1(_board(known, language="ar"))
    assert arabic.overall.total == 50 and arabic.overall.counts["agree"] == 10
    assert [row.key for row in arabic.breakdowns["language"].rows] == ["ar"]
    board = _board(known, stage="destination")
    assert board.participants_display == "80" and _rec1(board).overall.counts["agree"] == 50
    board = _board(known, group="woman_or_girl")
    assert _rec1(board).overall.total == 80
    board = _board(known, date_from=MARCH_5)
    assert board.participants_display == "52"
    assert _rec1(board).overall.counts["agree"] == 12
    assert board.totals.awaiting_moderation == 3
    board = _board(known, date_to=MARCH_1)
    assert board.participants_display == "80" and board.totals.awaiting_moderation == 0
    # A filter that leaves only a small group shows nothing that singles anyone out.
    board = _board(known, language="fa")
    assert board.participants_display == "<5"
    assert _rec1(board).overall.display["agree"] == "<5"
    assert _rec1(board).overall.agree is None


def test_significant_differences_and_dividing_recommendations(known: Flask) -> None:
    board = _board(known)
    rec = _rec1(board, 2)
    languages = rec.breakdowns["language"]
    # English 60/80 agree, Arabic 10/50: a significant gap after Holm's correction.
    top = languages.significant[0]
    assert (top.higher, top.lower) == ("en", "ar")
    assert top.higher_share.value == 0.75 and top.lower_share.value == 0.2
    assert top.p_adjusted < 0.001
    assert ("language", top) in rec.dividing  # English speakers agree, Arabic speakers disagree
    # Persian speakers' hidden counts never enter a test.
    assert all(
        "fa" not in (d.higher, d.lower) for d in _rec1(board).breakdowns["language"].differences
    )
    # Ranking: recommendation 2 (70/130 = 54 % agree) before recommendation 1 (62/127 = 49 %).
    assert [s.recommendation.position for s in board.ranking][:2] == [2, 1]


def test_the_rec2_narrative_names_only_significant_differences(known: Flask) -> None:
    browser = _organiser(known)
    text = _text(browser.client.get(URL).get_data(as_text=True))
    section = text[text.index("Recommendation 2:") : text.index("Recommendation 3:")]
    narrative = section[: section.index("Agree:")]
    assert "130 people answered (languages used: 2)." in narrative
    assert "54% agree" in narrative
    assert "20% of people on the way" in narrative and "75%" in narrative
    for figure in re.findall(r"\d+%", narrative):
        assert figure in section[section.index("Agree:") :], figure


def test_filters_through_the_page_and_bad_input(known: Flask) -> None:
    browser = _organiser(known)
    text = _text(browser.client.get(URL + "?language=ar").get_data(as_text=True))
    assert "Participants 50" in text and "20% (11%–33%)" in text
    response = browser.client.get(URL + "?from=yesterday&group=nobody")
    assert response.status_code == 422
    text = _text(response.get_data(as_text=True))
    assert "is not a date" in text and "Unknown filter value" in text
    assert "Participants 132" in text  # the bad filters are left out, the rest still works


def test_printable_report(known: Flask) -> None:
    browser = _organiser(known)
    response = browser.client.get(f"/staff/c/{SLUG}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "summaries.css" in html and 'role="img"' in html
    assert "49% agree (95% confidence interval 40%–57%)." in _text(html)
    css = browser.client.get("/static/summaries.css")
    assert "@media print" in css.get_data(as_text=True)
    css.close()


@pytest.mark.parametrize(
    ("roles", "status"),
    [(("moderator",), 403), (("translator",), 403), (("organiser",), 200), (("admin",), 200)],
)
def test_who_may_open_the_dashboard(known: Flask, roles: tuple[str, ...], status: int) -> None:
    staff_member(known, "someone@example.org", *roles)
    browser = log_in(known, "someone@example.org")
    assert browser.client.get(URL).status_code == status
    assert browser.client.get(URL + "report").status_code == status


def test_participants_are_sent_to_the_log_in(known: Flask) -> None:
    response = known.test_client().get(URL)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_unknown_consultation_is_404(known: Flask) -> None:
    browser = _organiser(known)
    assert browser.client.get("/staff/c/no-such-thing/").status_code == 404


def test_in_arabic_the_page_is_rtl_and_the_charts_are_mirrored(known: Flask) -> None:
    staff_member(known, "arabic@example.org", "organiser", ui_language="ar")
    browser = log_in(known, "arabic@example.org")
    html = browser.client.get(URL).get_data(as_text=True)
    assert 'dir="rtl"' in html[:400]
    with known.test_request_context():
        from babel import Locale

        from consult.i18n.formatting import native_digits

        participants = native_digits("132", Locale.parse("ar"))
    assert f"<dd>{participants}</dd>" in html  # in the locale's own digits (CLDR's default)
    # The first stance segment of recommendation 1 ends at the chart's right edge (600).
    chart = html[html.index('id="chart-1-t"') :]
    first = re.search(r'<rect x="([\d.]+)" y="0" width="([\d.]+)"', chart)
    assert first and float(first.group(1)) + float(first.group(2)) == pytest.approx(600, abs=0.2)
