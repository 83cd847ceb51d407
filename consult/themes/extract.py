"""Theme extraction from free-text answers: plain Python and scikit-learn, no Flask, no database.

`find_themes(answers)` takes one recommendation's answers (the text to read, and the stance when
known) and returns themes, each with a label drawn from its answers' words, its member answers
(closest first) and 2-3 representative quotes. The method (see docs/decisions.md, "Themes"):

1. The answers are split by stance (agreeing, disagreeing, the rest): people who agree and people
   who disagree give different reasons, so their themes are found apart. A part too small to
   cluster is pooled with the other small parts.
2. Each part is vectorised with TF-IDF on word unigrams and bigrams plus character 3-5-grams
   within words (any script, no stop-word lists, no stemmer: multilingual by construction), reduced
   with truncated SVD (LSA) and normalised.
3. The number of themes is chosen by stability: for each candidate k, k-means is fitted on several
   random subsamples and the clusterings are compared on all the answers (adjusted Rand index); the
   most reproducible k wins (the smaller one on a tie). A partition of the answers that differs
   from run to run is not a theme structure an organiser can rely on.
4. An answer belongs to its nearest theme, and also to a second one when it is almost as near to it
   (`SECOND_THEME_RATIO`); answers with no usable words belong to none.
5. Labels: the terms most over-represented in a theme compared with the rest of its part, up to
   three, without repeating a word. Quotes: the members nearest the theme's centre, distinct texts.

Everything is seeded (`seed`), so the same answers give the same themes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

METHOD = "stance-split tfidf(word+char)-lsa-kmeans, k by stability/1"

# Stances that agree, that disagree; any other value (partly, not sure, skipped, none) is "other".
AGREEING = frozenset({"agree", "pro", "1"})
DISAGREEING = frozenset({"disagree", "con", "-1"})
MIN_PART = 12  # answers below which a stance part is pooled with the other small parts
MIN_THEME_ANSWERS = 3  # fewer answers than this: no theme at all
MAX_THEMES_PER_PART = 10
LSA_DIMENSIONS = 30
STABILITY_ROUNDS = 6
STABILITY_FRACTION = 0.8
STABILITY_SAMPLE = 1000  # the choice of k reads at most this many answers
FIT_SAMPLE = 5000  # a larger part: vectorisers, LSA, k and k-means fitted on this many answers
ASSIGN_BATCH = (
    10_000  # ... then every answer projected and assigned to its nearest theme, in batches
)
SECOND_THEME_RATIO = 0.85
STABILITY_TOLERANCE = 2.0  # standard errors
STABILITY_FLOOR = 0.05  # adjusted Rand index
THEMES_PER_SQRT = 2.0  # at most sqrt(answers) / this many themes per part
QUOTES = 3
MAX_LABEL_TERMS = 3

_WORD = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Answer:
    id: Hashable
    text: str
    language: str | None = None
    stance: str | None = None


@dataclass(frozen=True)
class FoundTheme:
    label: str
    members: tuple[Hashable, ...]  # closest to the theme's centre first
    quotes: tuple[Hashable, ...]
    centroid_terms: tuple[str, ...]


@dataclass(frozen=True)
class ThemeResult:
    themes: tuple[FoundTheme, ...]
    answers_considered: int
    method: str = METHOD


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


def _stance_part(stance: str | None) -> str:
    value = (stance or "").strip().lower()
    if value in AGREEING:
        return "agree"
    if value in DISAGREEING:
        return "disagree"
    return "other"


def _parts(answers: list[tuple[Answer, str]]) -> list[list[tuple[Answer, str]]]:
    by_part: dict[str, list[tuple[Answer, str]]] = {}
    for item in answers:
        by_part.setdefault(_stance_part(item[0].stance), []).append(item)
    big = [
        by_part[p] for p in ("agree", "disagree", "other") if len(by_part.get(p, [])) >= MIN_PART
    ]
    small = [
        item
        for p in ("agree", "disagree", "other")
        if 0 < len(by_part.get(p, [])) < MIN_PART
        for item in by_part[p]
    ]
    if small:
        big.append(small)
    return big


def find_themes(answers: Sequence[Answer], *, seed: int = 0) -> ThemeResult:
    """Themes of one recommendation's answers; deterministic for a given `seed`."""
    from threadpoolctl import threadpool_limits

    usable = [(a, _normalise(a.text)) for a in answers]
    usable = [(a, t) for a, t in usable if _WORD.search(t)]
    themes: list[FoundTheme] = []
    # One thread: BLAS/OpenMP threads fighting over a shared machine's cores made this 40x slower.
    with threadpool_limits(limits=1):
        for part in _parts(usable):
            themes.extend(_part_themes(part, seed))
    themes = _unique_labels(themes)
    themes.sort(key=lambda t: (-len(t.members), t.label))
    return ThemeResult(tuple(themes), len(usable))


# --- one part ---------------------------------------------------------------------------------


def _vectorise(texts: list[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[str]]:
    n = len(texts)
    words, chars = _vectorisers(n)
    try:
        word_matrix = words.fit_transform(texts)
        vocabulary = list(words.get_feature_names_out())
    except ValueError:  # no term kept (every word too rare or too common)
        word_matrix, vocabulary = sparse.csr_matrix((n, 0), dtype=np.float32), []
    try:
        char_matrix = chars.fit_transform(texts)
    except ValueError:
        char_matrix = sparse.csr_matrix((n, 0), dtype=np.float32)
    combined = sparse.hstack([word_matrix, char_matrix]).tocsr()
    return combined, word_matrix.tocsr(), vocabulary


def _reduce(matrix: sparse.csr_matrix, seed: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dimensions = min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1)
    if dimensions < 2:
        return normalize(matrix.toarray()) if matrix.shape[1] else np.zeros((matrix.shape[0], 1))
    reduced = TruncatedSVD(dimensions, random_state=seed, algorithm="randomized").fit_transform(
        matrix
    )
    return normalize(reduced)


def _kmeans(vectors: np.ndarray, k: int, seed: int):
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if len(vectors) > 20_000:
        return MiniBatchKMeans(k, random_state=seed, n_init=3, batch_size=4096).fit(vectors)
    return KMeans(k, random_state=seed, n_init=4).fit(vectors)


def _choose_k(vectors: np.ndarray, seed: int) -> int:
    """The most stable number of clusters (mean adjusted Rand index between subsample fits)."""
    from sklearn.metrics import adjusted_rand_score

    n = len(vectors)
    highest = min(MAX_THEMES_PER_PART, max(1, round(np.sqrt(n) / THEMES_PER_SQRT)))
    if highest < 2:
        return 1
    rng = np.random.default_rng(seed)
    if n > STABILITY_SAMPLE:
        vectors = vectors[np.sort(rng.choice(n, STABILITY_SAMPLE, replace=False))]
        n = STABILITY_SAMPLE
    size = int(n * STABILITY_FRACTION)
    samples = [np.sort(rng.choice(n, size, replace=False)) for _ in range(STABILITY_ROUNDS)]
    scores: dict[int, float] = {}
    spread: dict[int, float] = {}
    for k in range(2, highest + 1):
        labelings = [
            _kmeans(vectors[idx], k, seed + i).predict(vectors) for i, idx in enumerate(samples)
        ]
        agreement = [
            adjusted_rand_score(labelings[i], labelings[j])
            for i in range(len(labelings))
            for j in range(i + 1, len(labelings))
        ]
        scores[k] = float(np.mean(agreement))
        spread[k] = float(np.std(agreement)) / np.sqrt(len(agreement))
    # The one-standard-error rule: the smallest k whose stability is within one standard error
    # (times STABILITY_TOLERANCE) of the most stable k's: fewer, broader themes when the data does
    # not clearly hold more.
    best = max(scores, key=lambda k: (scores[k], -k))
    floor = scores[best] - max(STABILITY_TOLERANCE * spread[best], STABILITY_FLOOR)
    return min(k for k, score in scores.items() if score >= floor)


def _part_themes(part: list[tuple[Answer, str]], seed: int) -> list[FoundTheme]:
    if len(part) < MIN_THEME_ANSWERS:
        return []
    texts = [t for _, t in part]
    large = _large_part_vectors(texts, seed) if len(texts) > FIT_SAMPLE else None
    if large is not None:
        vectors, word_matrix, vocabulary, fitted = large
    else:
        combined, word_matrix, vocabulary = _vectorise(texts)
        vectors = fitted = _reduce(combined, seed)
    k = _choose_k(fitted, seed)
    if k == 1:
        labels = np.zeros(len(part), dtype=int)
        centres = fitted.mean(axis=0, keepdims=True)
    else:
        model = _kmeans(fitted, k, seed)
        labels, centres = model.labels_, model.cluster_centers_
        if fitted is not vectors:  # fitted on a sample: nearest centre for everyone (below)
            labels = None
    norms = np.linalg.norm(centres, axis=1, keepdims=True)
    centres = centres / np.where(norms == 0, 1, norms)
    similarity = vectors @ centres.T  # cosine: both sides normalised
    nearest = similarity.argmax(axis=1) if k > 1 else labels
    membership = similarity >= SECOND_THEME_RATIO * similarity.max(axis=1, keepdims=True)
    membership &= similarity > 0
    membership[np.arange(len(part)), nearest] = True
    themes = []
    for cluster in range(k):
        members = np.flatnonzero(membership[:, cluster])
        if len(members) < MIN_THEME_ANSWERS:
            continue
        core = np.flatnonzero(nearest == cluster)
        order = members[np.argsort(-similarity[members, cluster], kind="stable")]
        terms = _label_terms(word_matrix, vocabulary, core if len(core) else members)
        themes.append(
            FoundTheme(
                label=", ".join(terms[:MAX_LABEL_TERMS]) if terms else texts[order[0]][:60],
                members=tuple(part[i][0].id for i in order),
                quotes=_quotes(order, texts, part),
                centroid_terms=tuple(terms),
            )
        )
    return themes


def _large_part_vectors(
    texts: list[str], seed: int
) -> tuple[np.ndarray, sparse.csr_matrix, list[str], np.ndarray] | None:
    """A part with more than FIT_SAMPLE answers: the vectorisers and the LSA are fitted on a
    seeded sample of FIT_SAMPLE answers, then every answer is projected in batches. Returns the
    vectors of all answers, their word TF-IDF, the vocabulary and the sample's vectors (on which
    k is chosen and k-means fitted). Parts up to FIT_SAMPLE answers never come here."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(texts), FIT_SAMPLE, replace=False))
    words, chars = _vectorisers(FIT_SAMPLE)
    sample_texts = [texts[i] for i in sample]
    try:
        sample_rows = sparse.hstack(
            [words.fit_transform(sample_texts), chars.fit_transform(sample_texts)]
        ).tocsr()
    except ValueError:  # no term kept in the sample: the full computation below handles it
        return None
    vocabulary = list(words.get_feature_names_out())
    char_tfidf = TfidfTransformer(sublinear_tf=True)
    char_tfidf.idf_ = chars.idf_
    dimensions = min(LSA_DIMENSIONS, FIT_SAMPLE - 1, sample_rows.shape[1] - 1)
    if dimensions < 2:  # hardly any terms: the full computation handles it
        return None
    svd = TruncatedSVD(dimensions, random_state=seed, algorithm="randomized")
    svd.fit(sample_rows)
    word_batches, vector_batches = [], []
    for start in range(0, len(texts), ASSIGN_BATCH):
        batch = texts[start : start + ASSIGN_BATCH]
        word_part = words.transform(batch).tocsr()
        char_part = char_tfidf.transform(_char_counts(batch, chars.vocabulary_, chars.ngram_range))
        combined = sparse.hstack([word_part, char_part]).tocsr().astype(np.float32)
        word_batches.append(word_part)
        vector_batches.append(normalize(svd.transform(combined)))
    vectors = np.vstack(vector_batches)
    return vectors, sparse.vstack(word_batches).tocsr(), vocabulary, vectors[sample]


def _vectorisers(n: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = 2 if n >= 20 else 1
    words = TfidfVectorizer(
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=min_df,
        max_df=0.5 if n >= 20 else 1.0,
        token_pattern=_WORD.pattern,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        sublinear_tf=True,
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=min_df,
        max_df=0.5 if n >= 20 else 1.0,
        dtype=np.float32,
        max_features=200_000,
    )
    return words, chars


def _char_counts(
    texts: list[str], vocabulary: dict[str, int], ngram_range: tuple[int, int]
) -> sparse.csr_matrix:
    """The counts CountVectorizer(analyzer="char_wb", lowercase=True) gives for a fitted
    vocabulary, computed as (answers x distinct words) @ (distinct words x n-grams): the n-grams of
    a word are generated once per batch instead of once per occurrence."""
    word_ids: dict[str, int] = {}
    columns: list[int] = []
    indptr = [0]
    for text in texts:
        for word in text.lower().split():
            columns.append(word_ids.setdefault(word, len(word_ids)))
        indptr.append(len(columns))
    documents = sparse.csr_matrix(
        (np.ones(len(columns), np.float32), np.asarray(columns, np.int64), np.asarray(indptr)),
        shape=(len(texts), len(word_ids)),
    )
    low, high = ngram_range
    rows: list[int] = []
    features: list[int] = []
    for word, row in word_ids.items():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams = [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
            for gram in grams:
                feature = vocabulary.get(gram)
                if feature is not None:
                    rows.append(row)
                    features.append(feature)
            if len(padded) <= n:  # a short word counts once (as sklearn does)
                break
    grams_of = sparse.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, features)), shape=(len(word_ids), len(vocabulary))
    )
    counts = (documents @ grams_of).tocsr()
    counts.sort_indices()
    return counts


def _label_terms(
    word_matrix: sparse.csr_matrix, vocabulary: list[str], members: np.ndarray
) -> list[str]:
    """Terms over-represented among `members` (TF-IDF mean inside minus outside), no repeats."""
    if not vocabulary:
        return []
    inside = np.asarray(word_matrix[members].mean(axis=0)).ravel()
    mask = np.ones(word_matrix.shape[0], dtype=bool)
    mask[members] = False
    outside = np.asarray(word_matrix[mask].mean(axis=0)).ravel() if mask.any() else 0
    # How many members use the term: a label word should be common in the theme, not one answer's.
    present = np.asarray((word_matrix[members] > 0).sum(axis=0)).ravel()
    score = (inside - outside) * np.sqrt(present)
    chosen: list[str] = []
    used: set[str] = set()
    for index in np.argsort(-score, kind="stable")[:60]:
        if score[index] <= 0:
            break
        term = vocabulary[index]
        words = set(term.split())
        if words & used:
            continue
        chosen.append(term)
        used |= words
        if len(chosen) >= MAX_LABEL_TERMS + 3:
            break
    return chosen


def _quotes(order: np.ndarray, texts: list[str], part: list[tuple[Answer, str]]) -> tuple:
    quotes, seen = [], set()
    for index in order:
        if texts[index] in seen:
            continue
        seen.add(texts[index])
        quotes.append(part[index][0].id)
        if len(quotes) == QUOTES:
            break
    return tuple(quotes)


def _unique_labels(themes: list[FoundTheme]) -> list[FoundTheme]:
    """Two themes never share a label: the later one takes its next distinct term, or a number."""
    seen: set[str] = set()
    result = []
    for theme in themes:
        label = theme.label
        extra = [t for t in theme.centroid_terms[MAX_LABEL_TERMS:]]
        while label in seen and extra:
            label = f"{label}, {extra.pop(0)}"
        number = 2
        base = label
        while label in seen:
            label = f"{base} ({number})"
            number += 1
        seen.add(label)
        result.append(
            FoundTheme(label, theme.members, theme.quotes, theme.centroid_terms)
            if label != theme.label
            else theme
        )
    return result


# --- organisers' themes across recomputations ---------------------------------------------------


@dataclass(frozen=True)
class Matched:
    joins: dict[Hashable, Hashable]  # a new answer's id -> the key of the theme it joins
    ordered: dict[Hashable, tuple[Hashable, ...]]  # each theme's members, closest first


def match_to_themes(
    answers: Sequence[Answer],
    themes: dict[Hashable, set[Hashable]],
    candidates: set[Hashable],
    *,
    excluded: dict[Hashable, set[Hashable]] | None = None,
    seed: int = 0,
) -> Matched:
    """Organisers' themes keep their answers; each candidate (an answer approved since) joins the
    theme whose centre is nearest, if it is at least as near as the theme's own nearer three
    quarters of members (the 25th percentile of their similarity), and it was not taken out of
    that theme by an organiser. Also orders each theme's members by closeness, for its quotes."""
    from threadpoolctl import threadpool_limits

    excluded = excluded or {}
    index = {a.id: i for i, a in enumerate(answers)}
    texts = [_normalise(a.text) for a in answers]
    joins: dict[Hashable, Hashable] = {}
    ordered: dict[Hashable, tuple[Hashable, ...]] = {}
    if not answers or not themes:
        return Matched(joins, ordered)
    with threadpool_limits(limits=1):
        vectors = _reduce(_vectorise(texts)[0], seed)
        keys = list(themes)
        centres, floors = [], []
        for key in keys:
            rows = [index[m] for m in themes[key] if m in index]
            if not rows:
                centres.append(np.zeros(vectors.shape[1]))
                floors.append(np.inf)
                continue
            centre = vectors[rows].mean(axis=0)
            centre /= np.linalg.norm(centre) or 1.0
            centres.append(centre)
            floors.append(float(np.percentile(vectors[rows] @ centre, 25)))
        similarity = vectors @ np.array(centres).T
    for answer_id in sorted(candidates, key=str):
        i = index.get(answer_id)
        if i is None:
            continue
        for j in np.argsort(-similarity[i], kind="stable"):
            key = keys[j]
            if answer_id in themes[key] or answer_id in excluded.get(key, set()):
                continue
            if similarity[i, j] >= floors[j] and similarity[i, j] > 0:
                joins[answer_id] = key
            break
    for j, key in enumerate(keys):
        members = [m for m in themes[key] if m in index] + [a for a, k in joins.items() if k == key]
        members.sort(key=lambda m: (-similarity[index[m], j], str(m)))
        ordered[key] = tuple(members)
    return Matched(joins, ordered)


def quotes_of(members: Sequence[Hashable], texts: dict[Hashable, str]) -> tuple[Hashable, ...]:
    """The first QUOTES members (closest first) with distinct texts."""
    quotes, seen = [], set()
    for member in members:
        text = _normalise(texts.get(member, ""))
        if text in seen:
            continue
        seen.add(text)
        quotes.append(member)
        if len(quotes) == QUOTES:
            break
    return tuple(quotes)
