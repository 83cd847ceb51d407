"""Statistics and charts without a database."""

from __future__ import annotations

import re

import pytest

from consult.summaries import charts
from consult.summaries.stats import (
    Share,
    differences,
    dividing,
    holm,
    two_proportion_p,
    wilson_interval,
)


def test_wilson_interval_known_values() -> None:
    # Published Wilson 95 % intervals: 68/100 -> 0.5834-0.7633; 0/10 -> 0-0.2775; 10/10 -> 0.7225-1.
    assert wilson_interval(68, 100).low == pytest.approx(0.58337, abs=1e-5)
    assert wilson_interval(68, 100).high == pytest.approx(0.76331, abs=1e-5)
    assert wilson_interval(0, 10).low == 0.0
    assert wilson_interval(0, 10).high == pytest.approx(0.27753, abs=1e-5)
    assert wilson_interval(10, 10).low == pytest.approx(0.72247, abs=1e-5)
    assert wilson_interval(0, 0) is None


def test_two_proportion_test_and_holm() -> None:
    # 60/80 against 10/50: z = 6.17, p far below 0.001; equal shares: p = 1.
    assert two_proportion_p(60, 80, 10, 50) < 1e-8
    assert two_proportion_p(5, 10, 10, 20) == pytest.approx(1.0)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_only_large_enough_shown_categories_are_tested() -> None:
    shares = {"a": Share(60, 80), "b": Share(10, 50), "c": Share(4, 9)}
    found = differences(shares)
    assert [(d.higher, d.lower) for d in found] == [("a", "b")]
    counts = {"a": {"agree": 60, "disagree": 20}, "b": {"agree": 10, "disagree": 40}}
    assert dividing(found, counts) == found
    counts["b"] = {"agree": 10, "disagree": 5, "not_sure": 35}
    assert dividing(found, counts) == []  # b does not mostly disagree


def _segments() -> list[charts.Segment]:
    return [
        charts.Segment("agree", "I agree", 60),
        charts.Segment("disagree", "I disagree", 40),
    ]


def test_stance_bar_is_accessible_and_not_colour_only() -> None:
    svg = str(
        charts.stance_bar("c1", "Answers <by> stance", "I agree: 60", _segments(), "{:.0%}".format)
    )
    assert svg.startswith('<svg class="chart" role="img"')
    assert 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">Answers &lt;by&gt; stance</title>' in svg
    assert 'id="c1-disagree"' in svg and "<path" in svg  # a pattern, not only a colour
    assert ">60%<" in svg and ">40%<" in svg  # text on the segments
    assert "style=" not in svg


def test_stance_bar_is_drawn_from_the_right_for_rtl() -> None:
    ltr = str(charts.stance_bar("c", "t", "d", _segments(), str))
    rtl = str(charts.stance_bar("c", "t", "d", _segments(), str, rtl=True))
    first = re.search(r'<rect x="([\d.]+)" y="0" width="([\d.]+)"', ltr)
    assert first and first.group(1) == "0.0"
    first = re.search(r'<rect x="([\d.]+)" y="0" width="([\d.]+)"', rtl)
    assert first and float(first.group(1)) + float(first.group(2)) == pytest.approx(600)
