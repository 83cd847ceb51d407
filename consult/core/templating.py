"""What every template can use: the page language and direction, the language picker, locale
formatting."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

from consult import vocab
from consult.i18n.formatting import local_date, local_number
from consult.i18n.languages import LanguageInfo, infos_of, language_info, offered_languages
from consult.i18n.selection import current_language
from consult.staff.paging import page_url, with_current_query


class LanguageCodeConverter(BaseConverter):
    """A URL segment that looks like a language code ("ar", "fa-AF"); others fall through to a
    404."""

    regex = r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?"


def switch_language_url(code: str) -> str:
    """The same page in another language (answers are on the server, so nothing is lost).

    A page whose URL carries the language (its blueprint set `g.lang`) is rebuilt with the new code;
    the query string is copied as text, never passed to `url_for` as arguments (a key such as
    `endpoint` or `_method` would be taken as one of url_for's own). Other pages go to the home
    page in that language.

    Every page lists every language: the page's own address is built once per request and each
    language's is that address with the code swapped, not one `url_for` per language.
    """
    around = _page_address_around_code()
    if around is None:
        return _page_in(code)
    before, after = around
    return f"{before}{code}{after}"


def _page_address_around_code() -> tuple[str, str] | None:
    around = g.get("_language_switch")
    if around is None:
        around = g._language_switch = _around_language_code()
    return around or None


def _page_in(code: str) -> str:
    endpoint = request.endpoint
    if g.get("lang") and endpoint and request.view_args is not None:
        url = url_for(endpoint, **{**request.view_args, "lang": code})
        query = request.query_string.decode("latin-1")
        return f"{url}?{query}" if query else url
    return url_for("participation.home", lang=code)


def _around_language_code() -> tuple[str, str] | Literal[False]:
    """This page's address in its own language, split around the code (`("/", "/c/x/q/2")`);
    False when the address does not start with the code (then each language is built by url_for,
    as `_page_in` does)."""
    lang = g.get("lang")
    if not lang:
        return False
    url = _page_in(lang)
    start = f"{request.script_root}/"
    if not url.startswith(f"{start}{lang}/"):
        return False
    return start, url[len(start) + len(lang) :]


# Stand-ins for the page's address around the language code while a menu is rendered for the
# cache: private-use characters, which no escaping changes and no page text contains.
_BEFORE_CODE, _AFTER_CODE = "\ue000", "\ue001"


def _marked_address(code: str) -> str:
    return f"{_BEFORE_CODE}{code}{_AFTER_CODE}"


def cached_language_menu(menu: Callable[[Callable[[str], str]], Markup]) -> Markup:
    """The header's language menu (the `language_menu` macro of base.html, given here).

    It depends only on the page's language, the languages listed and the page's address: it is
    rendered once per language and list (per app), with stand-ins for the address, which each
    page then fills in. Pages whose address does not carry the language
    (`_around_language_code`) render it every time.
    """
    around = _page_address_around_code()
    if around is None:
        return menu(switch_language_url)
    menus = current_app.extensions.setdefault("consult_language_menus", {})
    # A consultation's pages list its own languages (consult.participation.offered).
    key = (current_language().code, g.get("offered_languages"))
    marked = menus.get(key)
    if marked is None:
        marked = menus[key] = str(menu(_marked_address))
    before, after = around
    # `marked` is the autoescaped output of a template; the address parts are escaped here.
    filled = marked.replace(_BEFORE_CODE, escape(before)).replace(_AFTER_CODE, escape(after))
    return Markup(filled)  # nosec B704


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


def nl2br(text: str | None) -> Markup:
    """Escape, then keep a participant's line breaks."""
    return Markup("<br>").join(escape(line) for line in (text or "").split("\n"))


def page_languages() -> tuple[LanguageInfo, ...]:
    """The language menu's languages: the consultation's on its pages, else every offered one."""
    codes = g.get("offered_languages")
    return infos_of(codes) if codes else offered_languages()


def template_context() -> dict[str, Any]:
    return {
        "page_language": current_language(),
        "languages": page_languages(),
        "in_participant_area": bool(g.get("lang")),
    }


def init_templating(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageCodeConverter
    app.context_processor(template_context)
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.globals.update(
        switch_language_url=switch_language_url,
        cached_language_menu=cached_language_menu,
        language_info=language_info,
        format_number=local_number,
        format_date=local_date,
        # Stored values' labels: `vocab.Stance.label_of(answer.stance)`, `state.label`, ...
        vocab=vocab,
        # Query strings are copied as text, never spread into url_for (see consult.staff.paging).
        page_url=page_url,
        with_current_query=with_current_query,
    )
