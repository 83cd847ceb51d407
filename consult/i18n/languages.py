"""What we know about each language (from Babel's CLDR data), and which ones are offered."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from flask import current_app


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    endonym: str  # the language's name in itself, e.g. "العربية"
    direction: str  # "ltr" or "rtl"

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


@cache
def language_info(code: str) -> LanguageInfo:
    locale = Locale.parse(code)
    name = locale.get_display_name(code) or code
    # CLDR gives some endonyms in lower case ("español"); a picker reads better capitalised.
    return LanguageInfo(
        code=code, endonym=name[:1].upper() + name[1:], direction=locale.text_direction
    )


def supported_languages() -> list[str]:
    return list(current_app.config["CONSULT_LANGUAGES"])


def offered_languages() -> tuple[LanguageInfo, ...]:
    """Every offered language with its name and direction, in the order offered: every page's
    language menu lists them, so the list is made once per process (per set of languages)."""
    return _infos(tuple(current_app.config["CONSULT_LANGUAGES"]))


def infos_of(codes: tuple[str, ...]) -> tuple[LanguageInfo, ...]:
    """Names and directions of some languages (a consultation's), made once per set."""
    return _infos(codes)


@cache
def _infos(codes: tuple[str, ...]) -> tuple[LanguageInfo, ...]:
    return tuple(language_info(code) for code in codes)


def default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def closest_supported(code: str | None) -> str | None:
    """Map a code such as "ar-EG", "AR" or "prs" to a supported language, or None."""
    if not code:
        return None
    supported = supported_languages()
    candidate = code.replace("_", "-").strip()
    if candidate in supported:
        return candidate
    try:
        locale = Locale.parse(candidate, sep="-")
    except (ValueError, UnknownLocaleError):
        return _alias(candidate.lower(), supported)
    if locale.language in supported:
        return locale.language
    return _alias(locale.language, supported)


# Languages people write in that we serve through a close relative.
LANGUAGE_ALIASES = {"prs": "fa", "fa-af": "fa", "pbt": "ps", "pbu": "ps", "swc": "sw", "hat": "ht"}


def _alias(code: str, supported: list[str]) -> str | None:
    target = LANGUAGE_ALIASES.get(code.lower())
    return target if target in supported else None
