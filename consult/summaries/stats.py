"""Statistics of stances: shares, Wilson intervals, tests of differences between groups, ranking.

What "agree" means (decided here, once): among the participants who *chose* a stance for a
recommendation (agree, partly, disagree or not sure; "no answer chosen" is left out of the
denominator), the share who chose "I agree". "I partly agree" is not counted as agreeing: it is
reported on its own, beside the share, so that a reader sees both. The disagree share is defined in
the same way. Everything here is pure arithmetic on counts (no database, no Flask).

Differences between groups (languages, migration stages, participant groups) are tested pairwise
with a two-proportion z-test (pooled standard error) on agree / not agree, and the p-values of all
the pairs in one breakdown of one recommendation are corrected together with Holm's step-down
method; a difference is "significant" when its corrected p-value is below 0.05. Pairs are only
formed from categories whose counts are shown (not suppressed) and have at least `MIN_FOR_TEST`
answers, so the tests never use a hidden number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consult.vocab import Stance

# The stances that count as "answered" (the denominator of every share).
ANSWERED = (Stance.AGREE, Stance.PARTLY, Stance.DISAGREE, Stance.NOT_SURE)
# The order in which stances are drawn and listed.
STANCE_ORDER = (Stance.AGREE, Stance.PARTLY, Stance.DISAGREE, Stance.NOT_SURE, Stance.SKIPPED)
Z_95 = 1.959963984540054
ALPHA = 0.05
# A category enters the tests only with at least this many answers (below it a z-test is not
# meaningful); suppressed categories never enter whatever their size.
MIN_FOR_TEST = 10


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, total: int, z: float = Z_95) -> Interval | None:
    """The Wilson score interval for a proportion (95 % by default); None when total is 0."""
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Share:
    """How many of `answered` participants chose the stance, with the Wilson 95 % interval."""

    count: int
    answered: int

    @property
    def value(self) -> float | None:
        return self.count / self.answered if self.answered else None

    @property
    def interval(self) -> Interval | None:
        return wilson_interval(self.count, self.answered)


def answered(counts: dict[str, int]) -> int:
    return sum(counts.get(stance, 0) for stance in ANSWERED)


def agree_share(counts: dict[str, int]) -> Share:
    return Share(counts.get(Stance.AGREE, 0), answered(counts))


def disagree_share(counts: dict[str, int]) -> Share:
    return Share(counts.get(Stance.DISAGREE, 0), answered(counts))


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when it cannot be computed)."""
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (monotone, capped at 1)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    m = len(p_values)
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class Difference:
    """Two categories of one breakdown whose agree shares differ (`higher` agrees more)."""

    higher: str
    lower: str
    higher_share: Share
    lower_share: Share
    p_adjusted: float

    @property
    def significant(self) -> bool:
        return self.p_adjusted < ALPHA


def differences(shares: dict[str, Share]) -> list[Difference]:
    """Every pair of testable categories, Holm-corrected together, largest gap first."""
    testable = [(key, share) for key, share in shares.items() if share.answered >= MIN_FOR_TEST]
    pairs = []
    for i, (key_a, a) in enumerate(testable):
        for key_b, b in testable[i + 1 :]:
            if (a.value or 0) >= (b.value or 0):
                pairs.append((key_a, key_b, a, b))
            else:
                pairs.append((key_b, key_a, b, a))
    raw = [two_proportion_p(h.count, h.answered, lo.count, lo.answered) for _, _, h, lo in pairs]
    adjusted = holm(raw)
    found = [
        Difference(high_key, low_key, high, low, p)
        for (high_key, low_key, high, low), p in zip(pairs, adjusted, strict=True)
    ]
    found.sort(key=lambda d: ((d.lower_share.value or 0) - (d.higher_share.value or 0), d.higher))
    return found


def agrees(counts: dict[str, int]) -> bool:
    """A category agrees when more than half of those who answered chose "I agree"."""
    share = agree_share(counts).value
    return share is not None and share > 0.5


def disagrees(counts: dict[str, int]) -> bool:
    """A category disagrees when more of those who answered disagree than agree."""
    return counts.get(Stance.DISAGREE, 0) > counts.get(Stance.AGREE, 0)


def dividing(found: Iterable[Difference], counts: dict[str, dict[str, int]]) -> list[Difference]:
    """The significant differences where one side agrees and the other disagrees."""
    return [
        d
        for d in found
        if d.significant and agrees(counts[d.higher]) and disagrees(counts[d.lower])
    ]


def ranking_key(counts: dict[str, int]) -> tuple[float, float]:
    """Sort key from most agreed to most contested: agree share, then fewer disagreeing."""
    agree = agree_share(counts).value
    disagree = disagree_share(counts).value
    return (-(agree if agree is not None else -1.0), disagree if disagree is not None else 2.0)
