"""py3langid's model restricted to our languages, optionally cached in a folder for a fast start.

py3langid ships one LZMA-compressed model for 142 languages. Reading it costs about 0.4 s of CPU
at every process start (decompression alone) and briefly about 70 MB more memory; the detector
then keeps only the columns of our languages. Given a cache folder, the restricted arrays are
written there once as plain .npy files and memory-mapped from then on: loading takes milliseconds,
and every process that maps them shares one copy of the pages in the operating system's file cache
(gunicorn workers with or without --preload, and the next restart). Those pages are clean file
pages, which the kernel can drop and read back under memory pressure; a server without swap
cannot do that with a process's private memory.

The arrays are the very ones py3langid's own restriction (`set_languages`) produces, so detection
is the same with or without the cache (tests/text/test_langid_model.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

log = logging.getLogger(__name__)

# Bump when the files written below change, so an older cache is not read.
CACHE_FORMAT = 1
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def load_identifier(languages: Sequence[str], cache_dir: Path | None = None) -> LanguageIdentifier:
    """A normalised-probability identifier for `languages`, from `cache_dir` when given.

    Any problem with the cache (a read-only folder, a damaged file) is logged and the packaged
    model is read instead: the cache only saves time.
    """
    if cache_dir is None:
        return _identifier(_restricted_arrays(languages))
    try:
        return _identifier(_cached_arrays(languages, Path(cache_dir)))
    except (OSError, ValueError) as problem:
        log.warning(
            "Language model cache in %s not used (%s); reading the packaged model.",
            cache_dir,
            type(problem).__name__,
        )
        return _identifier(_restricted_arrays(languages))


def _restricted_arrays(languages: Sequence[str]) -> dict[str, np.ndarray]:
    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages(languages)
    return {
        "ptc": np.ascontiguousarray(full.nb_ptc),
        "pc": np.ascontiguousarray(full.nb_pc),
        "classes": np.array(full.nb_classes),
        "nextmove": np.frombuffer(full.tk_nextmove, dtype=np.dtype(full.tk_nextmove.typecode)),
        "row": np.frombuffer(full.tk_row, dtype=np.dtype(full.tk_row.typecode)),
        "output": np.array(full.tk_output, dtype=np.int32),
    }


def _identifier(arrays: dict[str, np.ndarray]) -> LanguageIdentifier:
    # The automaton's tables stay as they are (memory-mapped or not): py3langid only indexes them,
    # and a memoryview gives plain ints like the array.array and list it builds itself, without
    # 100,000 int objects whose reference counts would un-share their pages in every worker.
    return LanguageIdentifier(
        arrays["ptc"], arrays["pc"], arrays["classes"].tolist(), memoryview(arrays["nextmove"]),
        memoryview(arrays["output"]), norm_probs=True, tk_row=memoryview(arrays["row"]),
    )  # fmt: skip


def _cache_key(languages: Sequence[str]) -> str:
    digest = hashlib.sha256((MODEL_DIR / MODEL_FILE).read_bytes())
    digest.update(f"{CACHE_FORMAT}:{','.join(languages)}".encode())
    return digest.hexdigest()[:16]


def _cached_arrays(languages: Sequence[str], cache_dir: Path) -> dict[str, np.ndarray]:
    folder = cache_dir / f"py3langid-{_cache_key(languages)}"
    if folder.is_dir():
        try:
            return _read(folder, languages)
        except (OSError, ValueError):
            log.warning("Language model cache %s is damaged; writing it again.", folder)
            shutil.rmtree(folder, ignore_errors=True)
    _write(folder, _restricted_arrays(languages))
    return _read(folder, languages)


def _read(folder: Path, languages: Sequence[str]) -> dict[str, np.ndarray]:
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    classes = arrays["classes"].tolist()
    if (
        set(classes) != set(languages)
        or arrays["ptc"].shape[1:] != (len(classes),)
        or arrays["pc"].shape != (len(classes),)
        or arrays["nextmove"].size % 256
        or arrays["row"].shape != arrays["output"].shape
    ):
        raise ValueError(f"{folder} does not hold a model for {', '.join(languages)}")
    return arrays


def _write(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write to a fresh folder, then rename it into place: a reader never sees half a model, and
    two processes writing at once both end up reading the same complete one."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".py3langid-", dir=folder.parent))
    try:
        for name in _ARRAYS:
            np.save(partial / f"{name}.npy", arrays[name], allow_pickle=False)
        os.rename(partial, folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not folder.is_dir():  # another process did not win the race: a real failure
            raise
    # Models of earlier py3langid versions or language lists are no longer read.
    for stale in folder.parent.glob("py3langid-*"):
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
