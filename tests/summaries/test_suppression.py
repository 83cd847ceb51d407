"""Small groups are hidden, and no hidden small cell can be worked out from what is shown."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.summaries.dashboard import DIMENSIONS, PARTITIONS, STAGE_ORDER, TOTAL, _summarise
from consult.summaries.stats import STANCE_ORDER
from consult.summaries.suppression import (
    COMPLEMENTARY,
    HIDDEN,
    SMALL,
    Ledger,
    effective_threshold,
    protect,
)
from consult.vocab import Group
from tests.summaries.attacker import recovered


def _table(grid: list[list[int]]) -> Ledger:
    """A table with row totals, column totals and the grand total, as a page shows it."""
    ledger = Ledger()
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ledger.add((i, j), value)
        ledger.add((i, "total"), sum(row))
        ledger.relate((i, "total"), [(i, j) for j in range(len(row))])
    columns = len(grid[0])
    for j in range(columns):
        ledger.add(("total", j), sum(row[j] for row in grid))
        ledger.relate(("total", j), [(i, j) for i in range(len(grid))])
    ledger.add(("total", "total"), sum(map(sum, grid)))
    ledger.relate(("total", "total"), [(i, "total") for i in range(len(grid))])
    ledger.relate(("total", "total"), [("total", j) for j in range(columns)])
    return ledger


def _shown(ledger: Ledger, threshold: int) -> dict:
    protected = protect(ledger, threshold)
    return {key: protected.display(key) for key in ledger.values}


def test_a_small_cell_shows_less_than_the_threshold_and_zero_is_shown() -> None:
    ledger = _table([[2, 10, 0], [7, 8, 9]])
    shown = _shown(ledger, 5)
    assert shown[(0, 0)] == "<5"
    assert shown[(0, 2)] == "0"
    assert shown[(1, 1)] == "8" or shown[(1, 1)] == HIDDEN


def test_one_hidden_cell_in_a_row_gets_a_complement() -> None:
    # Row 0: 2 + 10 + 8 = 20 with the total shown: hiding 2 alone would leave 20 - 10 - 8.
    ledger = Ledger()
    for key, value in {"a": 2, "b": 10, "c": 8, "t": 20}.items():
        ledger.add(key, value)
    ledger.relate("t", ["a", "b", "c"])
    protected = protect(ledger, 5)
    assert protected.reason("a") == SMALL
    assert protected.reason("c") == COMPLEMENTARY  # the smaller of the two others
    assert protected.shown("b") and protected.shown("t")
    assert protected.display("a") == "<5" and protected.display("c") == HIDDEN
    assert protected.value("a") is None and protected.value("b") == 10


def test_a_complement_just_above_the_threshold_is_not_enough() -> None:
    # 1 + 5 = 6: knowing the hidden complement is at least 5 pins the small cell to 1, so the
    # total is hidden too.
    ledger = Ledger()
    for key, value in {"a": 1, "b": 5, "t": 6}.items():
        ledger.add(key, value)
    ledger.relate("t", ["a", "b"])
    protected = protect(ledger, 5)
    assert not protected.shown("a") and not protected.shown("b") and not protected.shown("t")


def test_the_threshold_is_never_below_three() -> None:
    assert effective_threshold(None) == 5
    assert effective_threshold(1) == 3
    assert effective_threshold(8) == 8
    ledger = Ledger()
    ledger.add("a", 2)
    assert protect(ledger, 1).display("a") == "<3"


def test_priorities_choose_which_count_is_given_up() -> None:
    ledger = Ledger()
    ledger.add("small", 2)
    ledger.add("cheap", 50, priority=0)
    ledger.add("precious", 6, priority=5)
    ledger.add("t", 58, priority=9)
    ledger.relate("t", ["small", "cheap", "precious"])
    protected = protect(ledger, 5)
    assert protected.reason("cheap") == COMPLEMENTARY and protected.shown("precious")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.integers(1, 4).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(0, 14), min_size=3, max_size=3), min_size=rows, max_size=rows
        )
    ),
    threshold=st.integers(3, 6),
)
def test_no_small_cell_of_a_table_is_recoverable(grid: list[list[int]], threshold: int) -> None:
    ledger = _table(grid)
    shown = _shown(ledger, threshold)
    for key, value in ledger.values.items():
        if 0 < value < threshold:
            assert shown[key] == f"<{threshold}", key
    assert recovered(shown, ledger.relations, threshold) == {}


# People with a language, a stage, groups and a stance for one recommendation, as the dashboard
# counts them, then filtered the way the page's filters would.
person = st.tuples(
    st.sampled_from(["en", "ar", "fa", "uk"]),
    st.sampled_from(STAGE_ORDER),
    st.sets(st.sampled_from(Group.values()[:3]), max_size=2),
    st.sampled_from(list(STANCE_ORDER)),
)
filters = st.fixed_dictionaries(
    {
        "language": st.sampled_from([None, "en", "ar"]),
        "stage": st.sampled_from([None, "transit", "destination"]),
        "group": st.sampled_from([None, "woman_or_girl"]),
    }
)


class _Rec:
    id = 1
    position = 1
    key = "r1"


def _cells(people: list, chosen: dict) -> tuple[dict, dict]:
    cells: dict = {d: {} for d in DIMENSIONS}
    overall: dict = {}
    for language, stage, groups, stance in people:
        if chosen["language"] and language != chosen["language"]:
            continue
        if chosen["stage"] and stage != chosen["stage"]:
            continue
        if chosen["group"] and chosen["group"] not in groups:
            continue
        overall[stance] = overall.get(stance, 0) + 1
        for dimension, category in (("language", language), ("stage", stage)):
            row = cells[dimension].setdefault(category, {})
            row[stance] = row.get(stance, 0) + 1
        for group in groups:
            row = cells["group"].setdefault(group, {})
            row[stance] = row.get(stance, 0) + 1
    return cells, overall


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, min_size=0, max_size=40), chosen=filters)
def test_no_small_cell_of_the_dashboard_is_recoverable(people: list, chosen: dict) -> None:
    """Random answers and filters: what one recommendation's section shows (the overall row and
    the three breakdowns, with every sum a reader knows) never pins down a small cell."""
    threshold = 5
    cells, overall = _cells(people, chosen)
    summary = _summarise(_Rec(), cells, overall, threshold, str)
    shown: dict = {}
    for column in (*STANCE_ORDER, TOTAL):
        shown[("", "", column)] = summary.overall.display[column]
    sums = [(("", "", TOTAL), [("", "", s) for s in STANCE_ORDER])]
    for dimension, breakdown in summary.breakdowns.items():
        for row in breakdown.rows:
            for column in (*STANCE_ORDER, TOTAL):
                shown[(dimension, row.key, column)] = row.display[column]
            sums.append(
                ((dimension, row.key, TOTAL), [(dimension, row.key, s) for s in STANCE_ORDER])
            )
        if dimension in PARTITIONS:
            for column in (*STANCE_ORDER, TOTAL):
                sums.append(
                    (("", "", column), [(dimension, row.key, column) for row in breakdown.rows])
                )
    # Every small count is shown as "<5"...
    truth = {("", "", s): overall.get(s, 0) for s in STANCE_ORDER}
    truth[("", "", TOTAL)] = sum(overall.values())
    for dimension in DIMENSIONS:
        for category, counts in cells[dimension].items():
            for s in STANCE_ORDER:
                truth[(dimension, category, s)] = counts.get(s, 0)
            truth[(dimension, category, TOTAL)] = sum(counts.values())
    for key, value in truth.items():
        if 0 < value < threshold:
            assert shown[key] == "<5", (key, value, shown[key])
        elif shown[key].isdigit():
            assert int(shown[key]) == value
    # ... and none of them can be worked out from the rest.
    assert recovered(shown, sums, threshold) == {}
    # A share is printed only when every number it needs is shown.
    for row in [summary.overall, *[r for b in summary.breakdowns.values() for r in b.rows]]:
        if row.agree is not None:
            assert row.counts["agree"] is not None
