"""What every template can use: the page language and direction, the language picker, locale
formatting."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

from consult.i18n import current_language, language_info, supported_languages
from consult.labels import (
    MODERATION_STATE_LABELS,
    PERSONAL_DATA_LABELS,
    STANCE_LABELS,
    ProfileLabels,
)
from consult.localformat import local_date, local_number


class LanguageCodeConverter(BaseConverter):
    """A URL segment that looks like a language code ("ar", "fa-AF"); others fall through to a
    404."""

    regex = r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?"


def switch_language_url(code: str) -> str:
    """The same page in another language (answers are on the server, so nothing is lost)."""
    endpoint = request.endpoint
    if endpoint and endpoint.startswith("participate.") and request.view_args is not None:
        args = {**request.view_args, **request.args.to_dict(), "lang": code}
        return url_for(endpoint, **args)
    return url_for("participate.home", lang=code)


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


def register_template_helpers(app: Flask) -> None:
    app.context_processor(template_context)
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.globals.update(
        switch_language_url=switch_language_url,
        language_info=language_info,
        format_number=local_number,
        format_date=local_date,
        stance_labels=STANCE_LABELS,
        moderation_state_labels=MODERATION_STATE_LABELS,
        personal_data_labels=PERSONAL_DATA_LABELS,
        profile_labels=ProfileLabels(),
    )
