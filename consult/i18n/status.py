"""How complete and how checked each language is: interface catalogs and consultation content.

Organisers need to know which translations a native speaker has checked and which are still drafts,
so the about-languages page shows it to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from consult.consultations.content import pick_text
from consult.i18n.catalogs import review_status
from consult.models import Consultation


@dataclass(frozen=True)
class InterfaceStatus:
    language: str
    # The catalog header's "Review-Status:" line; "source" for the default language.
    review_status: str
    reviewed: bool


@cache
def interface_status(translations: Path, language: str, default_language: str) -> InterfaceStatus:
    if language == default_language:
        return InterfaceStatus(language, "source", True)
    po = translations / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    status = review_status(catalog)
    return InterfaceStatus(language, status, status.lower().startswith("reviewed"))


@dataclass(frozen=True)
class ContentStatus:
    language: str
    translated: bool  # False: shown in the source language
    reviewed: bool


def content_status(consultation: Consultation, language: str) -> ContentStatus:
    row, fallback = pick_text(
        consultation.texts,
        language,
        consultation.source_language,
        consultation.drafts_shown_languages or (),  # drafts shown by the organisers' choice
    )
    recommendations_done = all(
        any(t.language == language for t in rec.texts) for rec in consultation.recommendations
    )
    translated = not fallback and recommendations_done
    reviewed = translated and row.status == "reviewed"
    if reviewed:
        reviewed = all(
            t.status == "reviewed"
            for rec in consultation.recommendations
            for t in rec.texts
            if t.language == language
        )
    return ContentStatus(language, translated, reviewed)
