"""What every template can use: the page language and direction, the language picker, locale
formatting."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

from consult import vocab
from consult.i18n.formatting import local_date, local_number
from consult.i18n.languages import language_info, supported_languages
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
    """
    endpoint = request.endpoint
    if g.get("lang") and endpoint and request.view_args is not None:
        url = url_for(endpoint, **{**request.view_args, "lang": code})
        query = request.query_string.decode("latin-1")
        return f"{url}?{query}" if query else url
    return url_for("participation.home", lang=code)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


def nl2br(text: str | None) -> Markup:
    """Escape, then keep a participant's line breaks."""
    return Markup("<br>").join(escape(line) for line in (text or "").split("\n"))


def template_context() -> dict[str, Any]:
    return {
        "page_language": current_language(),
        "languages": [language_info(code) for code in supported_languages()],
        "in_participant_area": bool(g.get("lang")),
    }


def init_templating(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageCodeConverter
    app.context_processor(template_context)
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.globals.update(
        switch_language_url=switch_language_url,
        language_info=language_info,
        format_number=local_number,
        format_date=local_date,
        # Stored values' labels: `vocab.Stance.label_of(answer.stance)`, `state.label`, ...
        vocab=vocab,
        # Query strings are copied as text, never spread into url_for (see consult.staff.paging).
        page_url=page_url,
        with_current_query=with_current_query,
    )
