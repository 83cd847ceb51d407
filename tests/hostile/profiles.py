"""Hypothesis settings for the hostile-input tests: few examples per route so the suite stays fast,
and in CI (or HYPOTHESIS_PROFILE=ci) derandomized, so a run is repeatable. HYPOTHESIS_PROFILE=deep
runs many more for a local hunt."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,  # no .hypothesis folder written into the checkout
}
settings.register_profile("dev", max_examples=4, **_COMMON)
settings.register_profile("ci", max_examples=4, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=200, **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
