"""The algorithm on its own (no database): determinism, the number of themes follows the data,
quotes are members, every answer's id comes back as given."""

from __future__ import annotations

from collections import Counter

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


def test_large_parts_are_fitted_on_a_sample_and_every_answer_assigned(monkeypatch) -> None:
    """Above FIT_SAMPLE answers a part is fitted on a sample and every answer is projected and
    assigned in batches (lowered here so that 80 answers take that path): each answer still
    belongs to a theme, a family's answers stay together, and the result is deterministic."""
    from consult.themes import extract

    monkeypatch.setattr(extract, "FIT_SAMPLE", 50)
    monkeypatch.setattr(extract, "ASSIGN_BATCH", 30)
    families = ("bus", "classes", "permits", "housing")
    data = _answers(*families)
    first, second = find_themes(data), find_themes(list(data))
    assert [(t.label, t.members, t.quotes) for t in first.themes] == [
        (t.label, t.members, t.quotes) for t in second.themes
    ]
    assert {m for t in first.themes for m in t.members} == {a.id for a in data}
    assert len(first.themes) == len(families)
    per_family = len(answers("bus"))
    with_their_family = sum(
        max(Counter(m // per_family for m in t.members).values()) for t in first.themes
    )
    assert with_their_family >= 0.8 * sum(len(t.members) for t in first.themes)


def test_character_counts_match_scikit_learn() -> None:
    """The batched character n-gram counts equal CountVectorizer(analyzer="char_wb")'s."""
    from sklearn.feature_extraction.text import CountVectorizer

    from consult.themes.extract import _char_counts

    texts = [*answers("bus", "permits"), "a b", "İstanbul ĞÜŞ", "x", "abc  de\tf\n gh", "ß Straße"]
    counter = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(texts[::2])
    expected = counter.transform(texts)
    got = _char_counts(texts, counter.vocabulary_, (3, 5))
    assert got.shape == expected.shape and (got != expected).nnz == 0
