"""Compare offline language detectors on tests/text/langdetect_samples.py.

Run from the repository root:  .venv/bin/python benchmarks/langdetect_compare.py

Each detector is measured in a fresh child process (this script re-runs itself with --only), so
load time and memory are not polluted by the models loaded before it. The combined detector is
measured twice: reading py3langid's packaged model, and reading it from the model cache that
consult.wsgi uses (written by an earlier child first, as at a server's second start). Figures go
to docs/benchmarks.md, section "Language detection".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.text.langdetect_samples import SAMPLES, SHORT_SAMPLES, labelled  # noqa: E402

LANGS = list(SAMPLES)
LINGUA_LANGS = [code for code in LANGS if code not in {"ps", "ti", "ht"}]
REPEATS = 3

Detect = Callable[[str], tuple[str | None, float]]


def _lingua(low_accuracy: bool) -> Detect:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    codes = {
        Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())): c for c in LINGUA_LANGS
    }
    builder = LanguageDetectorBuilder.from_languages(*codes).with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> tuple[str | None, float]:
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value == 0.0:
            return None, 0.0
        return codes[values[0].language], values[0].value

    return detect


def _py3langid() -> Detect:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Amharic stands in for Tigrinya, which py3langid lacks (same script, related language).
    identifier.set_languages([c for c in LANGS if c != "ti"] + ["am"])

    def detect(text: str) -> tuple[str | None, float]:
        lang, confidence = identifier.classify(text)
        return ("ti" if lang == "am" else lang), confidence

    return detect


def _combined(cache_dir: str | None = None) -> Detect:
    from consult.text import langdetect

    langdetect.warm_up(cache_dir=Path(cache_dir) if cache_dir else None)

    def detect(text: str) -> tuple[str | None, float]:
        result = langdetect.detect_language(text)
        return result.language, result.confidence

    return detect


COMBINED = "combined (consult.text.langdetect)"
COMBINED_CACHED = "combined, model cache (consult.wsgi)"
DETECTORS: dict[str, Callable[..., Detect]] = {
    "lingua high accuracy (11 langs)": lambda _cache: _lingua(low_accuracy=False),
    "lingua low accuracy (11 langs)": lambda _cache: _lingua(low_accuracy=True),
    "py3langid (13 langs + am as ti)": lambda _cache: _py3langid(),
    COMBINED: lambda _cache: _combined(),
    COMBINED_CACHED: _combined,
}


def _cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def _rss_mb() -> float:
    """Current resident set size; /proc on Linux, else the peak from getrusage."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, cache_dir: str | None) -> dict:
    rss_before = _rss_mb()
    start, start_cpu = time.perf_counter(), _cpu_s()
    detect = DETECTORS[name](cache_dir)
    detect("warm up")  # lazy parts, if any, are part of the load
    load_s, load_cpu_s = time.perf_counter() - start, _cpu_s() - start_cpu
    rss_growth = _rss_mb() - rss_before

    results = {}
    for set_name, samples in (("long", SAMPLES), ("short", SHORT_SAMPLES)):
        pairs = labelled(samples)
        rows = [(lang, *detect(text)) for lang, text in pairs]
        results[set_name] = [[lang, got, conf] for lang, got, conf in rows]

    timings = []
    pairs = labelled(SAMPLES) + labelled(SHORT_SAMPLES)
    for _ in range(REPEATS):
        for _, text in pairs:
            t0 = time.perf_counter()
            detect(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "load_s": load_s,
        "load_cpu_s": load_cpu_s,
        "rss_mb": rss_growth,
        "mean_ms": statistics.fmean(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        **results,
    }


def _accuracy(rows: list, lang: str | None = None) -> str:
    rows = [r for r in rows if lang is None or r[0] == lang]
    ok = sum(1 for expected, got, _ in rows if expected == got)
    return f"{100 * ok / len(rows):.0f}%"


def _threshold_table(rows_long: list, rows_short: list) -> None:
    wrong = [conf for exp, got, conf in rows_long + rows_short if got != exp]
    right_long = [conf for exp, got, conf in rows_long if got == exp]
    right_short = [conf for exp, got, conf in rows_short if got == exp]
    print("\nConfidence threshold for the combined detector")
    print(f"  wrong answers: {len(wrong)}, highest confidence {max(wrong, default=0):.2f}")
    print(f"  correct 3-25 word answers: lowest confidence {min(right_long):.2f}")
    for t in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9):
        caught = sum(c < t for c in wrong)
        flagged = sum(c < t for c in right_long)
        flagged_short = sum(c < t for c in right_short)
        print(
            f"  threshold {t:.2f}: flags {caught}/{len(wrong)} wrong answers, "
            f"{flagged}/{len(right_long)} correct 3-25 word answers, "
            f"{flagged_short}/{len(right_short)} correct 1-2 word answers"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=list(DETECTORS), help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(measure(args.only, args.cache_dir)))
        return

    def child(name: str, cache_dir: str) -> dict:
        command = [sys.executable, __file__, "--only", name, "--cache-dir", cache_dir]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        return json.loads(done.stdout.strip().splitlines()[-1])

    figures = {}
    with tempfile.TemporaryDirectory(prefix="consult-model-cache-") as cache_dir:
        child(COMBINED_CACHED, cache_dir)  # writes the cache, as a server's first start does
        for name in DETECTORS:
            figures[name] = child(name, cache_dir)

    n_long, n_short = len(labelled(SAMPLES)), len(labelled(SHORT_SAMPLES))
    print(f"{n_long} answers of 3-25 words, {n_short} answers of 1-2 words, {len(LANGS)} languages")
    # RSS MB: resident memory growth for import + load + first call, in a fresh process.
    header = [
        "detector", *LANGS, "all", "1-2 words", "mean ms", "p95 ms", "load s", "load CPU s",
        "RSS MB",
    ]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, fig in figures.items():
        cells = [name, *(_accuracy(fig["long"], lang) for lang in LANGS)]
        cells += [_accuracy(fig["long"]), _accuracy(fig["short"])]
        cells += [f"{fig['mean_ms']:.2f}", f"{fig['p95_ms']:.2f}", f"{fig['load_s']:.2f}"]
        cells += [f"{fig['load_cpu_s']:.2f}"]
        cells += [f"{fig['rss_mb']:.0f}"]
        print("| " + " | ".join(cells) + " |")

    combined = figures[COMBINED]

    def rounded(rows: list) -> list:
        # Lingua's confidences differ between processes in the 16th digit (summation order).
        return [(expected, got, round(conf, 9)) for expected, got, conf in rows]

    cached = figures[COMBINED_CACHED]
    same = all(rounded(combined[s]) == rounded(cached[s]) for s in ("long", "short"))
    print(f"\nWith and without the model cache: {'the same' if same else 'DIFFERENT'} results")
    print("\nCombined detector mistakes (expected, got, confidence, text):")
    texts = dict(enumerate(t for _, t in labelled(SAMPLES) + labelled(SHORT_SAMPLES)))
    for i, (exp, got, conf) in enumerate(combined["long"] + combined["short"]):
        if exp != got:
            print(f"  {exp} -> {got} ({conf:.2f}) {texts[i]}")
    _threshold_table(combined["long"], combined["short"])


if __name__ == "__main__":
    main()
