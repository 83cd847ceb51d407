"""Hypothesis settings for the hostile-input tests: few examples per route so the suite stays fast,
and in CI (or HYPOTHESIS_PROFILE=ci) derandomized, so a run is repeatable. HYPOTHESIS_PROFILE=deep
runs many more for a local hunt.

The profiles are applied to these tests only (`HOSTILE`, a decorator), never loaded globally:
other tests' hypothesis settings stay their own.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,  # no .hypothesis folder written into the checkout
}
PROFILES = {
    "dev": settings(max_examples=4, **_COMMON),
    "ci": settings(max_examples=4, derandomize=True, **_COMMON),
    "deep": settings(max_examples=200, **_COMMON),
}
HOSTILE = PROFILES[
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
]
