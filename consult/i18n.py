"""Which language a page is shown in, and what we know about each language (from Babel's CLDR data).

Participant URLs carry the language (`/ar/...`). A URL without one picks the language from the
`consult_lang` cookie, then the browser's Accept-Language, then the default. Staff pages use the
staff member's own choice (cookie) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request

LANGUAGE_COOKIE = "consult_lang"


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


def negotiated_language() -> str:
    """The language for a request that does not carry one in its URL."""
    from_cookie = closest_supported(request.cookies.get(LANGUAGE_COOKIE))
    if from_cookie:
        return from_cookie
    for code, _quality in request.accept_languages:
        match = closest_supported(code)
        if match:
            return match
    return default_language()


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL's language; on staff pages the staff member's choice;
    else the negotiated one."""
    if not has_request_context():
        return default_language()  # CLI commands and background work
    lang = g.get("lang")
    if lang:
        return lang
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        chosen = closest_supported(current_user.ui_language)
        if chosen:
            return chosen
    return negotiated_language()


def current_language() -> LanguageInfo:
    return language_info(select_locale())
