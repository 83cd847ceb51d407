"""Which language a page is shown in: the one place that decides.

Participant URLs carry the language (`/ar/...`). A URL without one picks the language from the
`consult_lang` cookie, then the browser's Accept-Language, then the default. Staff pages use the
staff member's own choice, then the same negotiation.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request

from consult.core import paths
from consult.core.extensions import babel
from consult.i18n.languages import (
    LanguageInfo,
    closest_supported,
    default_language,
    language_info,
)
from consult.i18n.startup_check import check_catalogs

LANGUAGE_COOKIE = "consult_lang"


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


def init_babel(app: Flask) -> None:
    """Flask-Babel with the absolute catalog folder, once every offered language has one."""
    translations = paths.translations_dir()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    check_catalogs(
        translations, app.config["CONSULT_LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]
    )
    babel.init_app(app, locale_selector=select_locale)
