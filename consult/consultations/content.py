"""Consultation content in the reader's language, falling back to the source language.

A missing translation never gives an empty page: the source text is shown instead and marked, so the
page can say "shown in English".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from consult.models import Consultation, ConsultationText, Recommendation, RecommendationText


class _LanguageRow(Protocol):
    language: str


RowT = TypeVar("RowT", bound=_LanguageRow)


def awaits_review(row: object) -> bool:
    """A machine draft that no person has reviewed yet: never shown in place of the source text."""
    made_by = getattr(row, "made_by", "") or ""
    return made_by.startswith("machine:") and getattr(row, "status", "") != "reviewed"


def pick_text(rows: Sequence[RowT], language: str, source_language: str) -> tuple[RowT, bool]:
    """The row in `language`, else the source-language row; and whether it is a fallback.

    An unreviewed machine draft counts as missing, so the reader gets the source text, visibly
    marked, until a person has checked the draft.
    """
    by_language = {row.language: row for row in rows if not awaits_review(row)}
    if language in by_language:
        return by_language[language], False
    if source_language in by_language:
        return by_language[source_language], True
    if not rows:
        raise LookupError("content has no text in any language")
    return rows[0], True


@dataclass(frozen=True)
class LocalisedConsultation:
    consultation: Consultation
    text: ConsultationText
    is_fallback: bool

    @property
    def language(self) -> str:
        return self.text.language


@dataclass(frozen=True)
class LocalisedRecommendation:
    recommendation: Recommendation
    text: RecommendationText
    is_fallback: bool

    @property
    def language(self) -> str:
        return self.text.language


def localise_consultation(consultation: Consultation, language: str) -> LocalisedConsultation:
    text, fallback = pick_text(consultation.texts, language, consultation.source_language)
    return LocalisedConsultation(consultation, text, fallback)


def localise_recommendation(
    recommendation: Recommendation, language: str, source_language: str
) -> LocalisedRecommendation:
    text, fallback = pick_text(recommendation.texts, language, source_language)
    return LocalisedRecommendation(recommendation, text, fallback)


def localise_recommendations(
    consultation: Consultation, language: str
) -> list[LocalisedRecommendation]:
    return [
        localise_recommendation(rec, language, consultation.source_language)
        for rec in consultation.recommendations
    ]
