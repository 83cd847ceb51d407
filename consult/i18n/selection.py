"""Which language a page is shown in: the one place that decides.

Participant URLs carry the language (`/ar/...`). A URL without one picks the language from the
`consult_lang` cookie, then the browser's Accept-Language, then the default. Staff pages use the
staff member's own choice, then the same negotiation.
"""

from __future__ import annotations

from collections.abc import Collection

from babel.support import NullTranslations, Translations
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import get_translations

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
    return negotiated_among(None, default_language())


def negotiated_among(offered: Collection[str] | None, fallback: str) -> str:
    """The reader's language among `offered` (None: every supported language): the cookie's, then
    the browser's Accept-Language, then `fallback`."""

    def usable(code: str | None) -> str | None:
        match = closest_supported(code)
        return match if match and (offered is None or match in offered) else None

    from_cookie = usable(request.cookies.get(LANGUAGE_COOKIE))
    if from_cookie:
        return from_cookie
    for code, _quality in request.accept_languages:
        match = usable(code)
        if match:
            return match
    return fallback


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


def page_catalog() -> Translations | NullTranslations:
    """The catalog of the page's language, looked up once per request for the templates.

    Flask-Babel's own template functions find the catalog again for every string (a page has
    dozens). It is kept beside Flask-Babel's choice of locale for the request, and used only while
    that choice stands (`refresh()` or `force_locale` change it).
    """
    if not has_app_context():
        return NullTranslations()
    state = g.get("_flask_babel")
    kept = getattr(state, "consult_catalog", None)
    if kept is not None and kept[0] is getattr(state, "babel_locale", None):
        return kept[1]
    catalog = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.consult_catalog = (getattr(state, "babel_locale", None), catalog)
    return catalog


def init_babel(app: Flask) -> None:
    """Flask-Babel with the absolute catalog folder, once every offered language has one."""
    translations = paths.translations_dir()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    check_catalogs(
        translations, app.config["CONSULT_LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]
    )
    babel.init_app(app, locale_selector=select_locale)
    # The same functions Flask-Babel installs, with the catalog found once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_catalog().ugettext(s),
        ngettext=lambda s, p, n: page_catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: page_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_catalog().unpgettext(c, s, p, n),
    )
