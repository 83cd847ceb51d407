"""Start-up check: every configured language has a compiled catalog.

A missing one fails loudly at start-up (and in the test suite) instead of silently showing English
to a participant."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError


def check_catalogs(translations: Path, languages: list[str], default_language: str) -> None:
    problems = []
    for code in languages:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            problems.append(f"{code}: not a language Babel knows")
            continue
        if code == default_language:
            continue  # the source strings are the default language
        if not (translations / code / "LC_MESSAGES" / "messages.mo").is_file():
            problems.append(f"{code}: no compiled catalog (run `make catalogs`)")
    if default_language not in languages:
        problems.append(
            f"{default_language}: the default language must be one of CONSULT_LANGUAGES"
        )
    if problems:
        raise RuntimeError("Interface languages are not ready: " + "; ".join(problems))
