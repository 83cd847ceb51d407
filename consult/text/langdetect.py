"""Offline identification of the language of short free-text answers.

This module owns language detection for the 14 languages Consult supports, and the rule that
decides when an answer should be shown to a translator because its language is not the one the
participant used. It runs fully offline: the statistical models ship inside the py3langid and
lingua-language-detector wheels, nothing is downloaded. No Flask here; callers pass plain text.

How it decides (measured in benchmarks/langdetect_compare.py, figures in docs/benchmarks.md):
1. The dominant writing system picks the candidate languages. Ethiopic script can only be
   Tigrinya among ours (neither library knows Tigrinya; py3langid calls it Amharic).
2. Letters that exist in only one of our languages settle Pashto, Urdu, Ukrainian and Russian
   (e.g. ښ ځ ړ are Pashto only, ے ں ٹ are Urdu only, ї є are Ukrainian only).
3. Otherwise py3langid (all 13 non-Ethiopic languages) scores the candidates, and lingua in
   low-accuracy mode (which lacks Pashto, Tigrinya and Haitian Creole) re-splits the share of
   the languages it knows; the two are averaged. Lingua alone fails ps/ti/ht entirely and
   py3langid alone is weaker on 1-2 word answers, hence the combination.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder
from py3langid.langid import LanguageIdentifier

from consult.text.langid_model import load_identifier

SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en", "ar", "fa", "ps", "ur", "uk", "ru", "es", "fr", "sw", "so", "ti", "tr", "ht",
)  # fmt: skip

# Below this, an answer is flagged for a translator. Measured with benchmarks/langdetect_compare.py
# on tests/text/langdetect_samples.py: the combined detector's 6 mistakes (all on 1-2 word answers)
# scored 0.31-0.63, its correct 3-25 word answers scored >= 0.80; 0.7 sits in that gap and flags
# 11 of 50 correct 1-2 word answers (a translator glance at a one-word answer is cheap).
LOW_CONFIDENCE = 0.7

# Fewer letters than this is not an answer whose language can be judged ("", "12", "?", "x").
MIN_LETTERS = 2
# Answers are short; bounding the input bounds the cost of a pathological paste.
MAX_CHARS = 2000

# Candidate languages per writing system (prefix of the Unicode character name).
_SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "ARABIC": ("ar", "fa", "ps", "ur"),
    "CYRILLIC": ("uk", "ru"),
    "LATIN": ("en", "es", "fr", "sw", "so", "tr", "ht"),
    "ETHIOPIC": ("ti",),
}
# Letters used by exactly one of our languages within their script. When a text has letters of
# one set and none of the competing set, the candidates shrink to that language.
_EXCLUSIVE_LETTERS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "ARABIC": (("ps", frozenset("ټډړږښګڼۍېځڅ")), ("ur", frozenset("ٹڈڑںےۓھہ"))),
    "CYRILLIC": (("uk", frozenset("іїєґІЇЄҐ")), ("ru", frozenset("ыэъёЫЭЪЁ"))),
}
# پ چ ژ گ ک ی never occur in Arabic but do in Persian, Pashto and Urdu.
_NOT_ARABIC = frozenset("پچژگکی")

# py3langid has no Tigrinya; Ethiopic is routed by script, so Amharic is left out of the model.
_LANGID_LANGUAGES = tuple(code for code in SUPPORTED_LANGUAGES if code != "ti")
# Lingua has no Pashto, Tigrinya or Haitian Creole.
_LINGUA_LANGUAGES = tuple(code for code in SUPPORTED_LANGUAGES if code not in {"ps", "ti", "ht"})
# A few words in each writing system lingua has models for: Latin, Arabic, Cyrillic.
_LINGUA_WARM_UP_TEXTS = ("The right to work", "حق العمل", "Право на работу")


@dataclass(frozen=True)
class Detection:
    """Result of detect_language.

    language is one of SUPPORTED_LANGUAGES, or None when it cannot tell. A None with confidence
    1.0 means "nothing to identify" (empty, digits, punctuation, a single letter); a None with
    confidence 0.0 means "there is text, but not in a script or language we can name".
    """

    language: str | None
    confidence: float


@dataclass(frozen=True)
class _Detectors:
    langid: LanguageIdentifier
    lingua: LanguageDetector
    lingua_codes: dict[Language, str]


_BUILD_LOCK = threading.Lock()
# Where py3langid's restricted model is cached (consult.text.langid_model); set by warm_up.
_model_cache_dir: Path | None = None


@functools.cache
def _build_detectors() -> _Detectors:
    """Load both models, restricted to our languages. Called once per process (see _detectors)."""
    # Only our languages' columns are kept, so the all-languages matrix is freed.
    langid = load_identifier(_LANGID_LANGUAGES, _model_cache_dir)
    lingua_codes = {
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())): code
        for code in _LINGUA_LANGUAGES
    }
    # Low-accuracy mode: 18 MB and ~0.1 s instead of ~280 MB and ~1.5 s for the high-accuracy
    # models, and it measured no worse on our short answers. Its models load per writing system
    # on first use (Latin 11 MB, Cyrillic 2.4 MB, Arabic 1.5 MB); warm_up loads them all.
    lingua = LanguageDetectorBuilder.from_languages(*lingua_codes).with_low_accuracy_mode().build()
    return _Detectors(langid=langid, lingua=lingua, lingua_codes=lingua_codes)


def _detectors() -> _Detectors:
    # functools.cache alone may run the builder twice if two threads miss at the same time.
    with _BUILD_LOCK:
        return _build_detectors()


def warm_up(cache_dir: Path | None = None, *, lingua_models: bool = True) -> None:
    """Load the models now (at start-up) rather than on the first answer.

    With `cache_dir`, py3langid's model restricted to our languages is kept there and
    memory-mapped, which loads in milliseconds instead of about half a second and is shared by
    every process that maps it (see consult.text.langid_model). It only applies if the models
    are not loaded yet in this process. Without `lingua_models`, lingua's models are left to load
    per writing system on the first answer written in it.
    """
    global _model_cache_dir
    with _BUILD_LOCK:
        if cache_dir is not None and _build_detectors.cache_info().currsize == 0:
            _model_cache_dir = Path(cache_dir)
    lingua = _detectors().lingua
    if not lingua_models:
        return
    # One text per writing system loads every lingua model, in this thread. Lingua's own
    # preloading (with_preloaded_language_models) loads them on a pool of threads that stays in
    # the process; threads do not survive fork, so gunicorn's workers would hold a pool without
    # its threads. This way there is none.
    for text in _LINGUA_WARM_UP_TEXTS:
        lingua.compute_language_confidence_values(text)


def _script_of(char: str) -> str | None:
    name = unicodedata.name(char, "")
    return next((script for script in _SCRIPT_LANGUAGES if name.startswith(script)), None)


def _candidates(script: str, chars: set[str]) -> tuple[str, ...]:
    found = [lang for lang, letters in _EXCLUSIVE_LETTERS.get(script, ()) if chars & letters]
    if len(found) == 1:
        return (found[0],)
    if script == "ARABIC" and chars & _NOT_ARABIC:
        return ("fa", "ps", "ur")
    return _SCRIPT_LANGUAGES[script]


def _probabilities(text: str, candidates: tuple[str, ...]) -> dict[str, float]:
    """Average of py3langid and lingua, both renormalised over the candidates."""
    detectors = _detectors()
    langid_scores = dict(detectors.langid.rank(text))
    probs = {lang: langid_scores[lang] for lang in candidates}
    total = sum(probs.values())
    if total <= 0.0:
        return dict.fromkeys(candidates, 0.0)
    probs = {lang: p / total for lang, p in probs.items()}
    known = [lang for lang in candidates if lang in _LINGUA_LANGUAGES]
    if len(known) < 2:
        return probs
    lingua_scores = {
        detectors.lingua_codes[result.language]: result.value
        for result in detectors.lingua.compute_language_confidence_values(text)
    }
    lingua_total = sum(lingua_scores.get(lang, 0.0) for lang in known)
    if lingua_total <= 0.0:
        return probs
    # Lingua only re-splits the probability py3langid gave to the languages lingua knows, so
    # Pashto and Haitian Creole keep py3langid's estimate.
    known_mass = sum(probs[lang] for lang in known)
    second = dict(probs)
    for lang in known:
        second[lang] = lingua_scores.get(lang, 0.0) / lingua_total * known_mass
    return {lang: (probs[lang] + second[lang]) / 2 for lang in candidates}


def detect_language(text: str) -> Detection:
    """Best guess among SUPPORTED_LANGUAGES for a short answer, with a 0..1 confidence."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    letters = [char for char in text if char.isalpha()]
    if len(letters) < MIN_LETTERS:
        return Detection(None, 1.0)
    scripts = Counter(_script_of(char) for char in letters)
    supported = {script: n for script, n in scripts.items() if script is not None}
    if not supported:
        return Detection(None, 0.0)
    script, count = max(supported.items(), key=lambda item: item[1])
    # Mixed-script answers (a name in Latin letters inside Arabic text...) lower the confidence.
    share = count / len(letters)
    candidates = _candidates(script, set(text))
    if len(candidates) == 1:
        return Detection(candidates[0], share)
    probs = _probabilities(text, candidates)
    best = max(candidates, key=lambda lang: probs[lang])
    if probs[best] * len(candidates) <= 1.0 + 1e-9:
        # Uniform scores: neither model saw a single feature it knows ("ok", "wi").
        return Detection(None, 0.0)
    return Detection(best, probs[best] * share)


def needs_translator_attention(declared_language: str, detection: Detection) -> bool:
    """Whether a translator should look at an answer given in `declared_language`."""
    if detection.language is None:
        # Only "nothing to identify" (confidence 1.0) is left alone.
        return detection.confidence < LOW_CONFIDENCE
    return detection.language != declared_language or detection.confidence < LOW_CONFIDENCE
