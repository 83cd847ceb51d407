"""Small groups are never exposed: primary and complementary suppression of counts.

Public API (used by the dashboard, the printable report and the exports of `consult.outcomes`):

- `Ledger()` collects the counts a page or a file will show, each under a hashable key
  (`ledger.add(key, count)`), and the additive relations a reader could use to work one out from
  the others (`ledger.relate(total_key, [part_key, ...])`: total == sum of parts). Declare every
  relation that holds among the numbers you show (a row and its total, a column and its total,
  the rows' totals and the grand total, and the same overall numbers shown in two tables: use the
  same key for them).
- `protect(ledger, threshold)` returns a `Protected` result: `protected.shown(key)` (bool),
  `protected.value(key)` (the count, or None when hidden), `protected.display(key, fmt=str)`
  (the count formatted, "<N" for a small cell, `HIDDEN` for a cell hidden to protect another) and
  `protected.reason(key)` (None, `SMALL` or `COMPLEMENTARY`).
- `effective_threshold(consultation_threshold)`: the threshold actually used (never below 3).

Rules. A count of 1 to threshold-1 is hidden ("primary": shows "<N"). Zero is shown: it singles
nobody out. Then the result is audited as an attacker would: with every shown number, every
relation, and the knowledge that a small cell lies in [1, N-1] and a cell hidden for protection is
at least N (it would be small otherwise), an integer program (scipy's HiGHS) finds the smallest and
largest value each small cell can take. While a small cell is pinned to a single value, the smallest
non-zero shown count in a relation that contains it is hidden too ("complementary"), and the audit
runs again. Bounds propagated through the sums find most pinned cells in pure Python; the integer
program only confirms, on one connected set of hidden cells at a time, so tables without small
cells cost nothing.

Termination and the fallback. Every round hides at least one more count or seals a component, so
the audit ends; it is also bounded by work, not time (`MAX_ROUNDS` rounds, `MAX_SOLVES` solver
calls, `MAX_COMPONENT` hidden cells per integer program). When nothing is left to hide around a
pinned cell (every non-zero count of its connected component is hidden already: a table of fewer
than N people, say, where the "<N" marks, each at least 1, and the zeros shown add up), or when a
bound is reached, the component is *sealed*: every count of it is hidden, non-zero ones as
complements and zeros as "<N" (true: 0 < N), so a reader can no longer take any "<N" there as at
least 1. A sealed component that hides a count of N or more ("–", known to be at least N) is
withheld whole: every count of it shows "–" (see `_withhold_revealing_seals`). Hiding more never
exposes anyone; it only costs numbers on tiny or pathological tables.
Results are kept for the last few hundred distinct ledgers (same counts, same
answer), so only the first request after the data changes pays for the audit.

Limits: protection holds within one result. Two results over different filters (for instance two
date ranges one day apart) can be subtracted from each other; the dashboard's filters are staff-only
and the threshold applies to every view, but differencing across views is not prevented.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from consult.core.lru import LruCache

MINIMUM_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
SMALL = "small"
COMPLEMENTARY = "complementary"
# What a cell hidden to protect another shows.
HIDDEN = "–"


def effective_threshold(threshold: int | None) -> int:
    """The consultation's threshold, never below 3 (None: the default, 5)."""
    if threshold is None:
        return DEFAULT_THRESHOLD
    return max(MINIMUM_THRESHOLD, int(threshold))


def small_label(threshold: int) -> str:
    return f"<{effective_threshold(threshold)}"


@dataclass
class Ledger:
    """Counts to be shown and the sums that tie them together."""

    values: dict[Hashable, int] = field(default_factory=dict)
    relations: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)
    # Which counts to give up first as complements: lower first (then smaller counts first).
    priorities: dict[Hashable, int] = field(default_factory=dict)

    def add(self, key: Hashable, count: int, priority: int = 0) -> Hashable:
        """Record a count; `priority` orders complements (0: hide first; overall figures that
        readers need most should get a higher number)."""
        if key in self.values and self.values[key] != count:
            raise ValueError(f"{key!r} added twice with different counts")
        self.values[key] = int(count)
        self.priorities[key] = priority
        return key

    def relate(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        parts = tuple(parts)
        missing = [k for k in (total, *parts) if k not in self.values]
        if missing:
            raise KeyError(f"relation names counts never added: {missing!r}")
        if sum(self.values[p] for p in parts) != self.values[total]:
            raise ValueError(f"{total!r} is not the sum of its parts")
        self.relations.append((total, parts))


@dataclass(frozen=True)
class Protected:
    values: dict[Hashable, int]
    hidden: dict[Hashable, str]
    threshold: int

    def shown(self, key: Hashable) -> bool:
        return key not in self.hidden

    def reason(self, key: Hashable) -> str | None:
        return self.hidden.get(key)

    def value(self, key: Hashable) -> int | None:
        return None if key in self.hidden else self.values[key]

    def display(self, key: Hashable, fmt: Callable[[int], str] = str) -> str:
        reason = self.hidden.get(key)
        if reason == SMALL:
            return "<" + fmt(self.threshold)
        if reason == COMPLEMENTARY:
            return HIDDEN
        return fmt(self.values[key])


# Results of `protect` for the last few distinct ledgers (the same counts give the same cells):
# repeated dashboard requests on unchanged data skip the audit.
CACHE_SIZE = 512
_CACHE: LruCache[dict[Hashable, str]] = LruCache(CACHE_SIZE)


def protect(ledger: Ledger, threshold: int | None) -> Protected:
    limit = effective_threshold(threshold)
    signature = (
        limit,
        tuple(ledger.values.items()),
        tuple(ledger.relations),
        tuple(ledger.priorities.items()),
    )
    cached = _CACHE.get_or_make(signature, lambda: _hide(ledger, limit))
    return Protected(dict(ledger.values), dict(cached), limit)


class _OverBudget(Exception):
    """The exact audit used up its share of solver calls (see `MAX_SOLVES`)."""


# Work bounds, independent of the machine's speed: audit rounds, solver calls in all, and the
# largest set of hidden cells one integer program may get. Past any of them the affected
# components are sealed (below), which is always safe.
MAX_ROUNDS = 40
MAX_SOLVES = 300
MAX_COMPONENT = 300


def _hide(ledger: Ledger, limit: int) -> dict[Hashable, str]:
    hidden = {key: SMALL for key, count in ledger.values.items() if 0 < count < limit}
    if not hidden:
        return hidden
    by_key: dict[Hashable, list[int]] = {}
    for index, (total, parts) in enumerate(ledger.relations):
        for key in (total, *parts):
            by_key.setdefault(key, []).append(index)
    sealed: set[Hashable] = set()  # every cell of these components is hidden, zeros too
    budget = [MAX_SOLVES]
    for _ in range(MAX_ROUNDS):
        try:
            # Cheap bounds first (interval propagation over the sums, pure Python); the exact
            # audit (integer programming) only once they find nothing.
            exposed = _exposed_by_bounds(ledger, hidden, limit, sealed) or _exposed(
                ledger, hidden, by_key, limit, sealed, budget
            )
        except _OverBudget:
            break
        if not exposed:
            _withhold_revealing_seals(ledger, hidden, by_key, limit, sealed, budget)
            return hidden
        # One complement per exposed cell in each round (then audit again): fewer rounds.
        for key in exposed:
            if key in sealed:
                continue
            extra = _complement_for(key, ledger, hidden, by_key)
            if extra is not None:
                hidden[extra] = COMPLEMENTARY
            elif not _hide_neighbourhood(key, ledger, hidden, by_key):
                # Every non-zero count around it is hidden already and it is still pinned: the
                # "<N" marks (at least 1 each) and the zeros shown give it away. Seal it.
                _seal(key, ledger, hidden, by_key, sealed)
    # Work bound reached: seal every component that still holds an unsealed small cell.
    for key in [k for k, r in hidden.items() if r == SMALL and k not in sealed]:
        if key not in sealed:
            _seal(key, ledger, hidden, by_key, sealed)
    _withhold_revealing_seals(ledger, hidden, by_key, limit, sealed, budget)
    return hidden


def _withhold_revealing_seals(
    ledger: Ledger,
    hidden: dict[Hashable, str],
    by_key: dict,
    limit: int,
    sealed: set[Hashable],
    budget: list[int],
) -> None:
    """Withhold whole every sealed component whose marks still pin a "<N" cell.

    A sealed component that hides a count of N or more shows "–" there, which a reader knows is at
    least N, while its "<N" cells are at most N-1: the two kinds of bounds can still add up to one
    value (three rows of 2 people each, "<3", under a grand total known to be at least 6 because
    two of its columns are "–"). Such a component is audited like any other (a "<N" cell there
    may be 0); when a cell is pinned, or the audit is out of work, every count of the component
    shows "–", which says nothing at all: no number, no "<N" and no zero to reason from."""
    done: set[Hashable] = set()
    for key in sorted(sealed, key=repr):
        if key in done:
            continue
        component = _component(key, ledger, hidden, by_key, everything=True)
        done |= component
        if not any(hidden.get(other) == COMPLEMENTARY for other in component):
            continue  # only "<N" marks, each 0 to N-1 here: nothing to add up against
        if _seal_leaks(component, ledger, hidden, by_key, limit, budget):
            for other in component:
                hidden[other] = COMPLEMENTARY


def _seal_leaks(
    component: set[Hashable],
    ledger: Ledger,
    hidden: dict[Hashable, str],
    by_key: dict,
    limit: int,
    budget: list[int],
) -> bool:
    if len(component) > MAX_COMPONENT:
        return True
    try:
        return bool(_pinned(component, ledger, hidden, by_key, limit, budget, zero_allowed=True))
    except _OverBudget:
        return True


def _hide_neighbourhood(key: Hashable, ledger: Ledger, hidden: dict, by_key: dict) -> bool:
    """Hide every non-zero count linked to `key` through relations; False when none was left."""
    changed = False
    for other in _component(key, ledger, hidden, by_key, everything=True):
        if ledger.values[other] > 0 and other not in hidden:
            hidden[other] = COMPLEMENTARY
            changed = True
    return changed


def _seal(key: Hashable, ledger: Ledger, hidden: dict, by_key: dict, sealed: set) -> None:
    """Hide every count linked to `key`: non-zero ones as complements, zeros as "<N" (true:
    0 < N). No number of the component is shown then, and a reader can no longer count on a
    "<N" cell being at least 1 there (which is what pins a cell once everything else is hidden)."""
    component = _component(key, ledger, hidden, by_key, everything=True)
    for other in component:
        if other not in hidden:
            hidden[other] = COMPLEMENTARY if ledger.values[other] > 0 else SMALL
    sealed |= component


def _exposed_by_bounds(
    ledger: Ledger, hidden: dict[Hashable, str], limit: int, sealed: set[Hashable]
) -> list[Hashable]:
    """Small cells pinned by propagating bounds through the sums (a necessary condition only:
    the exact audit in `_exposed` still runs when this finds nothing)."""
    big = sum(ledger.values.values()) + 1
    low = {k: ((0 if k in sealed else 1) if r == SMALL else limit) for k, r in hidden.items()}
    high = {k: (limit - 1 if r == SMALL else big) for k, r in hidden.items()}
    equations = []
    for total, parts in ledger.relations:
        terms = [(-1, total)] + [(1, p) for p in parts]
        variables = [(sign, key) for sign, key in terms if key in hidden]
        if variables:
            constant = -sum(sign * ledger.values[key] for sign, key in terms if key not in hidden)
            equations.append((variables, constant))  # sum(sign * x) == constant
    for _ in range(50):
        changed = False
        for variables, constant in equations:
            for sign, key in variables:
                # sign * x = constant - sum(other terms): bound the others' range.
                rest_low = sum(
                    (s * low[k] if s > 0 else s * high[k]) for s, k in variables if k != key
                )
                rest_high = sum(
                    (s * high[k] if s > 0 else s * low[k]) for s, k in variables if k != key
                )
                lo, hi = constant - rest_high, constant - rest_low
                if sign < 0:
                    lo, hi = -hi, -lo
                if lo > low[key]:
                    low[key], changed = lo, True
                if hi < high[key]:
                    high[key], changed = hi, True
        if not changed:
            break
    return sorted(
        (k for k, r in hidden.items() if r == SMALL and k not in sealed and low[k] >= high[k]),
        key=repr,
    )


def _complement_for(
    key: Hashable, ledger: Ledger, hidden: dict[Hashable, str], by_key: dict
) -> Hashable | None:
    """A non-zero shown count sharing a relation with `key` or with a hidden cell linked to it:
    the lowest priority first, then the smallest count (then parts before totals)."""
    best = None
    relation_ids = {i for k in _component(key, ledger, hidden, by_key) for i in by_key.get(k, [])}
    for index in sorted(relation_ids):
        total, parts = ledger.relations[index]
        for rank, candidate in [(0, p) for p in parts] + [(1, total)]:
            if candidate in hidden or ledger.values[candidate] <= 0:
                continue
            score = (
                ledger.priorities.get(candidate, 0),
                ledger.values[candidate],
                rank,
                repr(candidate),
            )
            if best is None or score < best[0]:
                best = (score, candidate)
    return None if best is None else best[1]


def _component(
    start: Hashable, ledger: Ledger, hidden: dict, by_key: dict, everything: bool = False
) -> set[Hashable]:
    """Hidden cells linked to `start` through relations (with `everything`: every linked cell)."""
    seen = {start}
    todo = [start]
    while todo:
        key = todo.pop()
        for index in by_key.get(key, []):
            total, parts = ledger.relations[index]
            for other in (total, *parts):
                if other not in seen and (everything or other in hidden):
                    seen.add(other)
                    todo.append(other)
    return seen


def _exposed(
    ledger: Ledger,
    hidden: dict[Hashable, str],
    by_key: dict,
    limit: int,
    sealed: set[Hashable],
    budget: list[int],
) -> list[Hashable]:
    """Small hidden cells whose value an attacker can pin down, in a stable order."""
    exposed: list[Hashable] = []
    done: set[Hashable] = set()
    for key in sorted((k for k, r in hidden.items() if r == SMALL), key=repr):
        if key in done or key in sealed:
            continue
        component = _component(key, ledger, hidden, by_key)
        done |= component
        if len(component) > MAX_COMPONENT:
            raise _OverBudget
        exposed.extend(_pinned(component, ledger, hidden, by_key, limit, budget))
    return exposed


def _pinned(
    component: set[Hashable],
    ledger: Ledger,
    hidden: dict,
    by_key: dict,
    limit: int,
    budget: list[int],
    zero_allowed: bool = False,
) -> list[Hashable]:
    """The small cells of `component` that take the same value in every solution (in a sealed
    component, `zero_allowed`: its "<N" cells may be 0).

    A few solutions with varied objectives prove most cells ambiguous at once (a cell with two
    different values in two solutions cannot be pinned); only the rest get their own minimum and
    maximum, and each of those solutions clears more cells too.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    keys = sorted(component, key=repr)
    column = {key: i for i, key in enumerate(keys)}
    rows, rhs = [], []
    relation_ids = sorted({i for key in keys for i in by_key.get(key, [])})
    for index in relation_ids:
        total, parts = ledger.relations[index]
        row = np.zeros(len(keys))
        constant = 0
        for sign, key in [(-1, total)] + [(1, p) for p in parts]:
            if key in column:
                row[column[key]] += sign
            else:
                constant += sign * ledger.values[key]
        rows.append(row)
        rhs.append(-constant)
    small = [column[k] for k in keys if hidden[k] == SMALL]
    least_small = 0.0 if zero_allowed else 1.0
    low = np.array([least_small if hidden[k] == SMALL else float(limit) for k in keys])
    high = np.array([float(limit - 1) if hidden[k] == SMALL else np.inf for k in keys])
    constraints = [LinearConstraint(np.array(rows), np.array(rhs), np.array(rhs))] if rows else []
    integral = np.ones(len(keys))
    seen: dict[int, set[int]] = {i: set() for i in small}
    # The true counts are one solution.
    for i in small:
        seen[i].add(ledger.values[keys[i]])

    matrix = np.array(rows) if rows else None
    vector = np.array(rhs) if rows else None
    bounds = list(zip(low, [None if np.isinf(h) else h for h in high], strict=True))

    def solve(objective: np.ndarray) -> np.ndarray | None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _OverBudget
        # The linear relaxation first (a millisecond): its optimum is a vertex, integral for
        # tables like these, and then it is also the integer optimum. Otherwise the integer
        # program (tens of milliseconds).
        relaxed = linprog(objective, A_eq=matrix, b_eq=vector, bounds=bounds, method="highs")
        if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
            return np.round(relaxed.x)
        result = milp(
            objective, constraints=constraints, integrality=integral, bounds=Bounds(low, high)
        )
        return None if result.status != 0 else np.round(result.x)

    def record(solution: np.ndarray | None) -> None:
        if solution is not None:
            for i in small:
                seen[i].add(int(solution[i]))

    def push(cells: list[int]) -> bool:
        """One solve moving every given cell away from the one value seen so far."""
        objective = np.zeros(len(keys))
        for i in cells:
            objective[i] = 1.0 if next(iter(seen[i])) > least_small else -1.0
        before = sum(len(v) for v in seen.values())
        record(solve(objective))
        return sum(len(v) for v in seen.values()) > before

    while True:
        unproven = [i for i in small if len(seen[i]) == 1]
        if not unproven or not push(unproven):
            break
    for i in small:
        if len(seen[i]) > 1:
            continue
        single = np.zeros(len(keys))
        single[i] = 1.0
        known = next(iter(seen[i]))
        # Only the direction that could move the cell away from the value seen so far.
        if known > least_small:
            record(solve(single))
        if len(seen[i]) == 1 and known < limit - 1:
            record(solve(-single))
    return [keys[i] for i in small if len(seen[i]) == 1]
