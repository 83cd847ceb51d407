"""Theme computation at scale: N synthetic multilingual answers (default 100,000) through the
production function, timed, with the process's peak memory.

    python benchmarks/themes_scale.py [N ...]

The answers are generated (no real text): each mixes the words of one of 12 invented concerns with
common words, in one of four word sets standing for languages (two of them non-Latin scripts), with
a stance. Targets (issue 11): under 60 s and under 2 GB for 100,000 answers. Prints, per N, the
time of the computation and, as a reference measured in the same run, the time to vectorise the
same texts with a plain word TF-IDF, so figures from loaded and idle machines can be compared.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consult.themes.extract import Answer, find_themes

SCRIPTS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "fr": "abcdefghijklmnopqrstuvwxyzéèà",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "uk": "абвгдежзийклмнопрстуфхцчшщюя",
}


def _vocabulary(rng: np.random.Generator, letters: str, size: int) -> list[str]:
    return ["".join(rng.choice(list(letters), rng.integers(3, 9))) for _ in range(size)]


def synthetic(n: int, seed: int = 0) -> list[Answer]:
    rng = np.random.default_rng(seed)
    answers = []
    languages = list(SCRIPTS)
    concerns = {
        lang: [_vocabulary(rng, letters, 12) for _ in range(12)]
        for lang, letters in SCRIPTS.items()
    }
    common = {lang: _vocabulary(rng, letters, 300) for lang, letters in SCRIPTS.items()}
    stances = ["agree", "disagree", "partly", "not_sure"]
    for i in range(n):
        lang = languages[rng.integers(0, len(languages))]
        concern = concerns[lang][rng.integers(0, 12)]
        words = list(rng.choice(concern, rng.integers(2, 5))) + list(
            rng.choice(common[lang], rng.integers(5, 25))
        )
        rng.shuffle(words)
        answers.append(Answer(i, " ".join(words), lang, stances[rng.integers(0, 4)]))
    return answers


def main(sizes: list[int]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    for n in sizes:
        answers = synthetic(n)
        started = time.perf_counter()
        TfidfVectorizer().fit_transform([a.text for a in answers])
        reference = time.perf_counter() - started
        started = time.perf_counter()
        result = find_themes(answers)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"N={n}: themes in {elapsed:.1f} s ({len(result.themes)} themes, "
            f"{result.answers_considered} answers); plain TF-IDF of the same texts "
            f"{reference:.1f} s (ratio {elapsed / reference:.1f}); peak memory {peak_mb:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
