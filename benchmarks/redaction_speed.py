"""How long the personal-data scan takes on a long answer full of numbers (moderators wait).

Run: .venv/bin/python benchmarks/redaction_speed.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult.text.redaction import find_personal_data
from tests.text.test_redaction import answer_of_2000_characters


def main() -> None:
    started = time.perf_counter()
    find_personal_data(answer_of_2000_characters(0))
    first = time.perf_counter() - started
    timings = []
    for seed in range(1, 101):
        text = answer_of_2000_characters(seed)  # different numbers each time: no cache helps
        started = time.perf_counter()
        hits = find_personal_data(text)
        timings.append(time.perf_counter() - started)
    timings.sort()
    plain = "We need lawyers who speak our language and understand our situation. " * 28
    started = time.perf_counter()
    find_personal_data(plain[:2000])
    plain_time = time.perf_counter() - started
    print(f"first call (loads phone metadata): {first * 1000:.1f} ms")
    print(f"2,000 characters, {len(hits)} hits, 100 runs:")
    print(f"  median {statistics.median(timings) * 1000:.1f} ms")
    print(f"  p95    {timings[94] * 1000:.1f} ms")
    print(f"  worst  {timings[-1] * 1000:.1f} ms")
    print(f"2,000 characters of plain text: {plain_time * 1000:.1f} ms")


if __name__ == "__main__":
    main()
