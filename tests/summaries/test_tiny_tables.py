"""A consultation answered by only a few people: the dashboard answers at once and gives nobody
away, even when the "<5" marks alone would add up (the audit used to loop for ever there)."""

from __future__ import annotations

import re

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.core.extensions import db
from consult.models import Consultation
from consult.summaries.dashboard import build_dashboard
from consult.summaries.queries import DashboardFilters
from consult.summaries.suppression import Ledger, protect
from tests.summaries.attacker import recovered
from tests.summaries.test_suppression import _table
from tests.support.factories import staff_member, submission
from tests.support.journey import SLUG
from tests.support.staff import log_in
from tests.translation.desk_support import approved_answers

STANCES = ["agree", "partly", "disagree", "not_sure", "skipped"]


def _four_people(app: Flask) -> None:
    """Recommendation 1: 1 agree (en, approved text), 1 partly (en), 2 not sure (1 en, 1 ar);
    recommendations 2 to 8: the two "not sure" only."""
    submission(app, ["Typed with a keyboard."], stance="partly")
    for lang in ("en", "ar"):
        submission(app, [""] * 8, lang=lang, stance="not_sure")
    approved_answers(app, ["Families wait for years."])


def _section(text: str, position: int) -> str:
    start = text.index(f"Recommendation {position}:")
    end = text.find(f"Recommendation {position + 1}:", start)
    return text[start : end if end > 0 else None]


def _words(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).replace("&lt;", "<")


def _shown_and_sums(rec) -> tuple[dict, list]:
    shown, sums = {}, []
    for col in [*STANCES, "total"]:
        shown[("all", col)] = rec.overall.display[col]
    sums.append((("all", "total"), [("all", s) for s in STANCES]))
    for dimension in ("language", "stage"):
        rows = rec.breakdowns[dimension].rows
        for row in rows:
            for col in [*STANCES, "total"]:
                shown[(dimension, row.key, col)] = row.display[col]
            sums.append(((dimension, row.key, "total"), [(dimension, row.key, s) for s in STANCES]))
        for col in [*STANCES, "total"]:
            sums.append((("all", col), [(dimension, r.key, col) for r in rows]))
    return shown, sums


def test_four_people_get_a_dashboard_that_gives_nobody_away(demo_app: Flask) -> None:
    app = demo_app
    _four_people(app)
    staff_member(app, "organiser@example.org", "organiser")
    page = log_in(app, "organiser@example.org").get(f"/staff/c/{SLUG}/")
    assert page.status == 200
    text = _words(page.text)
    assert "Participants <5" in text
    # Recommendation 1 (4 people; "<5" marks of at least 1 each would add up to exactly 4):
    # every count of its tables is hidden, its zeros too.
    first = _section(text, 1)
    table = first[first.index("All participants") :]
    assert re.search(r"(?<!<)\b\d+\b", table.replace("95%", "")) is None, table
    assert table.count("<5") == 4 * 6  # overall, English, Arabic and "did not say" rows
    # Recommendation 2 (2 people, 1 English, 1 Arabic, both "not sure"): zeros shown, the rest "<5".
    second = _section(text, 2)
    assert "English 0 0 0 <5 0 <5" in second and "Arabic 0 0 0 <5 0 <5" in second
    with app.test_request_context():
        consultation = db.session.query(Consultation).filter_by(slug=SLUG).one()
        board = build_dashboard(consultation, DashboardFilters())
    for rec in board.recommendations:
        shown, sums = _shown_and_sums(rec)
        assert recovered(shown, sums, 5) == {}, rec.recommendation.position


def test_a_table_whose_small_marks_add_up_is_sealed() -> None:
    # 4 people: 1 + 1 + 1 in one row, 1 in another; the "<5" marks alone pin every count.
    ledger = _table([[1, 1, 0, 1], [0, 0, 0, 1]])
    protected = protect(ledger, 5)
    shown = {key: protected.display(key) for key in ledger.values}
    assert set(shown.values()) == {"<5"}
    assert recovered(shown, ledger.relations, 5) == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.integers(1, 4).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=rows, max_size=rows
        )
    ),
    threshold=st.integers(3, 6),
)
def test_no_cell_of_a_tiny_table_is_recoverable(grid: list[list[int]], threshold: int) -> None:
    """Tables of a handful of people, where most counts are small: the audit ends and nothing
    is pinned down."""
    ledger: Ledger = _table(grid)
    protected = protect(ledger, threshold)
    shown = {key: protected.display(key) for key in ledger.values}
    withheld = set(shown.values()) == {"–"}  # a component withheld whole says nothing
    for key, value in ledger.values.items():
        if 0 < value < threshold:
            assert shown[key] == ("–" if withheld else f"<{threshold}"), key
        elif shown[key].isdigit():
            assert int(shown[key]) == value
    assert recovered(shown, ledger.relations, threshold) == {}


def test_a_sealed_table_whose_marks_still_add_up_is_withheld_whole() -> None:
    # Three rows of 2 ("<3") under columns of 3 ("–", at least 3): the grand total is at least 6
    # and at most 2 + 2 + 2, which pinned every row. Withheld whole, every count shows "–".
    ledger = _table([[0, 1, 0, 1]] * 3)
    protected = protect(ledger, 3)
    shown = {key: protected.display(key) for key in ledger.values}
    assert set(shown.values()) == {"–"}
    assert recovered(shown, ledger.relations, 3) == {}
