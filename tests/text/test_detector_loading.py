"""How the language detectors are loaded (consult/text/langid_model.py, langdetect.warm_up): the
cached, memory-mapped py3langid model scores every sample exactly as py3langid's own restricted
model does, a cache that cannot be used only costs time, and a process forked after warm-up (a
gunicorn worker under preload) detects without loading anything or waiting on a thread of its
parent. Pure unit tests, no Flask app."""

from __future__ import annotations

import logging
import os
import signal
import time
import warnings
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from consult.text import langdetect
from consult.text.langdetect import _LANGID_LANGUAGES, detect_language
from consult.text.langid_model import load_identifier
from tests.text.langdetect_samples import SAMPLES, SHORT_SAMPLES, labelled

TEXTS = [text for _, text in labelled(SAMPLES) + labelled(SHORT_SAMPLES)]


@pytest.fixture(scope="module")
def packaged() -> LanguageIdentifier:
    """py3langid's model restricted the library's own way, as the detector did before the cache."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_LANGID_LANGUAGES)
    return identifier


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("model-cache")
    load_identifier(_LANGID_LANGUAGES, folder)  # writes the cache
    return folder


def test_cached_model_scores_every_sample_as_py3langid_does(
    packaged: LanguageIdentifier, cache_dir: Path
) -> None:
    cached = load_identifier(_LANGID_LANGUAGES, cache_dir)  # reads the files written before
    assert len(list(cache_dir.iterdir())) == 1  # no partial folder left behind
    for text in TEXTS:
        assert cached.rank(text) == packaged.rank(text), text


def test_uncached_model_scores_every_sample_as_py3langid_does(
    packaged: LanguageIdentifier,
) -> None:
    uncached = load_identifier(_LANGID_LANGUAGES)
    for text in TEXTS:
        assert uncached.rank(text) == packaged.rank(text), text


def test_a_damaged_cache_is_written_again(cache_dir: Path, packaged: LanguageIdentifier) -> None:
    (model,) = cache_dir.iterdir()
    (model / "ptc.npy").write_bytes(b"not a numpy file")
    identifier = load_identifier(_LANGID_LANGUAGES, cache_dir)
    assert identifier.rank(TEXTS[0]) == packaged.rank(TEXTS[0])
    assert (model / "ptc.npy").stat().st_size > 1_000_000


def test_an_unusable_cache_folder_falls_back_to_the_packaged_model(
    tmp_path: Path, packaged: LanguageIdentifier, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with caplog.at_level(logging.WARNING, logger="consult.text.langid_model"):
        identifier = load_identifier(_LANGID_LANGUAGES, not_a_folder)
    assert identifier.rank(TEXTS[0]) == packaged.rank(TEXTS[0])
    assert "not used" in caplog.text


def test_warm_up_with_a_cache_folder_reads_the_model_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(langdetect, "_model_cache_dir", None)
    langdetect._build_detectors.cache_clear()
    try:
        langdetect.warm_up(cache_dir=tmp_path)
        assert len(list(tmp_path.glob("py3langid-*/nextmove.npy"))) == 1
        for lang in ("ps", "ht", "so"):
            assert detect_language(SAMPLES[lang][0]).language == lang
    finally:
        langdetect._build_detectors.cache_clear()  # later tests build their own, without it


def test_a_process_forked_after_warm_up_detects_every_script() -> None:
    langdetect.warm_up()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads; gunicorn forks all the same.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        try:
            right = all(
                detect_language(SAMPLES[lang][0]).language == lang
                for lang in ("en", "ar", "fa", "ru", "uk", "ps", "ti", "ht")
            )
            os._exit(0 if right else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked process hung while detecting")
