"""The algorithm on its own (no database): determinism, the number of themes follows the data,
quotes are members, every answer's id comes back as given."""

from __future__ import annotations

from consult.themes.extract import Answer, find_themes
from tests.themes.support import answers


def _answers(*families: str) -> list[Answer]:
    return [Answer(i, text, "en", "agree") for i, text in enumerate(answers(*families))]


def test_same_answers_give_the_same_themes() -> None:
    data = _answers("bus", "classes", "permits")
    first, second = find_themes(data), find_themes(list(data))
    assert [(t.label, t.members, t.quotes) for t in first.themes] == [
        (t.label, t.members, t.quotes) for t in second.themes
    ]


def test_the_number_of_themes_follows_the_data() -> None:
    two = find_themes(_answers("bus", "classes"))
    four = find_themes(_answers("bus", "classes", "permits", "housing"))
    assert len(two.themes) < len(four.themes)


def test_quotes_belong_to_their_theme_and_labels_come_from_the_answers() -> None:
    result = find_themes(_answers("bus", "classes", "permits", "housing"))
    words = {w for text in answers("bus", "classes", "permits", "housing") for w in text.split()}
    for theme in result.themes:
        assert 2 <= len(theme.quotes) <= 3
        assert set(theme.quotes) <= set(theme.members)
        assert set(theme.label.replace(",", " ").split()) <= words
    assert len({t.label for t in result.themes}) == len(result.themes)


def test_stances_are_themed_apart_and_tiny_inputs_give_no_theme() -> None:
    data = [Answer(i, t, None, "agree") for i, t in enumerate(answers("bus", "classes"))]
    data += [Answer(100 + i, t, None, "disagree") for i, t in enumerate(answers("permits"))]
    result = find_themes(data)
    for theme in result.themes:
        members = set(theme.members)
        assert members <= {a.id for a in data if a.id < 100} or members <= {
            a.id for a in data if a.id >= 100
        }
    assert find_themes([Answer(1, "only one answer")]).themes == ()
    assert find_themes([Answer(1, "  "), Answer(2, "!!")]).answers_considered == 0
