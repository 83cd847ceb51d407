"""An attacker who sees only what is displayed and tries to work out hidden small cells.

Given the displayed strings of some counts ("12", "<5", "–") and the sums a reader knows hold
between them, it finds, for each cell shown as "<N", the smallest and largest whole value it can
take (integer programming, scipy's HiGHS). It knows what the suppression rules imply: a "<N" cell
is between 1 and N-1, a "–" cell is at least N (smaller ones would be shown as "<N"), zeros are
shown, except in a sealed component (cells linked by sums, none of them showing a number), where
a "<N" cell may be 0. A cell is recovered when its smallest and largest possible values are equal.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def recovered(
    shown: dict[Hashable, str],
    sums: Sequence[tuple[Hashable, Sequence[Hashable]]],
    threshold: int,
) -> dict[Hashable, int]:
    """The "<N" cells whose value is pinned down, with that value."""
    unknown = sorted((k for k, v in shown.items() if not v.isdigit()), key=repr)
    if not unknown:
        return {}
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in sums:
        row = np.zeros(len(unknown))
        constant = 0
        for sign, key in [(-1, total)] + [(1, p) for p in parts]:
            if key in index:
                row[index[key]] += sign
            else:
                constant += sign * int(shown[key])
        if row.any():
            rows.append(row)
            rhs.append(-constant)
        else:
            assert constant == 0, "the shown numbers contradict a sum"
    small = f"<{threshold}"
    sealed = _sealed(shown, sums)
    low = np.array(
        [(0.0 if k in sealed else 1.0) if shown[k] == small else float(threshold) for k in unknown]
    )
    high = np.array([threshold - 1.0 if shown[k] == small else np.inf for k in unknown])
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    found = {}
    for key in unknown:
        if shown[key] != small:
            continue
        c = np.zeros(len(unknown))
        c[index[key]] = 1.0
        values = []
        for sign in (1.0, -1.0):
            result = milp(
                sign * c,
                constraints=constraints,
                integrality=np.ones(len(unknown)),
                bounds=Bounds(low, high),
            )
            assert result.status == 0, "the displayed table must have a solution"
            values.append(round(sign * result.fun))
        if values[0] == values[1]:
            found[key] = values[0]
    return found


def _sealed(
    shown: dict[Hashable, str], sums: Sequence[tuple[Hashable, Sequence[Hashable]]]
) -> set[Hashable]:
    """Cells of the components (linked through sums) in which no cell shows a number."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for total, parts in sums:
        for part in parts:
            parent[root(part)] = root(total)
    numbered = {root(k) for k in parent if shown[k].isdigit()}
    return {k for k in parent if root(k) not in numbered}
