"""Where the app finds its templates and translation catalogs.

In a source checkout they sit at the top of the repository (`templates/`, `translations/`); in an
installed wheel they are package data (`consult/_templates`, `consult/_translations`, mapped in
setup.py). Both are resolved to absolute paths, because Flask and Flask-Babel would otherwise
resolve them against the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # consult/
SOURCE_ROOT = PACKAGE_DIR.parent
# The checkout's own folders: the catalogs workflow (consult.i18n.catalogs) edits these.
SOURCE_TEMPLATES = SOURCE_ROOT / "templates"
SOURCE_TRANSLATIONS = SOURCE_ROOT / "translations"


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise RuntimeError(f"Consult cannot find a required folder; tried: {tried}")


def templates_dir() -> Path:
    return _first_existing(PACKAGE_DIR / "_templates", SOURCE_TEMPLATES)


def translations_dir() -> Path:
    return _first_existing(PACKAGE_DIR / "_translations", SOURCE_TRANSLATIONS)


def migrations_dir() -> Path:
    return _first_existing(PACKAGE_DIR / "migrations")
