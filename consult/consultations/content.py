"""Consultation content in the reader's language, falling back to the source language.

A missing translation never gives an empty page: the source text is shown instead and marked, so the
page can say "shown in English".

Each page reads only the text it shows, in the reader's language and the source language: a question
page one recommendation's, the review page every recommendation's in one query (see
docs/decisions.md, "Participant pages near the ceiling").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.base import NO_VALUE

from consult.core.extensions import db
from consult.models import Consultation, ConsultationText, Recommendation, RecommendationText


class _LanguageRow(Protocol):
    language: str


RowT = TypeVar("RowT", bound=_LanguageRow)


def awaits_review(row: object) -> bool:
    """A machine draft that no person has reviewed yet."""
    made_by = getattr(row, "made_by", "") or ""
    return made_by.startswith("machine:") and getattr(row, "status", "") != "reviewed"


def is_shown(row: object, source_language: str, drafts_shown: Collection[str] = ()) -> bool:
    """Whether participants may read this row: the source language's text (the organisers' own),
    reviewed text, and in a language whose drafts the organisers chose to show
    (`Consultation.drafts_shown_languages`) any draft too, machine drafts labelled."""
    language = getattr(row, "language", None)
    if language == source_language and not awaits_review(row):
        return True
    return getattr(row, "status", "") == "reviewed" or language in drafts_shown


def pick_text(
    rows: Sequence[RowT],
    language: str,
    source_language: str,
    drafts_shown: Collection[str] = (),
) -> tuple[RowT, bool]:
    """The row in `language`, else the source-language row; and whether it is a fallback.

    A draft (a machine's or a person's) counts as missing unless the consultation shows drafts in
    that language, so the reader gets the source text, visibly marked, until a person has
    reviewed the translation.
    """
    by_language = {
        row.language: row for row in rows if is_shown(row, source_language, drafts_shown)
    }
    if language in by_language:
        return by_language[language], False
    if source_language in by_language:
        return by_language[source_language], True
    if not rows:
        raise LookupError("content has no text in any language")
    return rows[0], True


def _drafts_shown(consultation: Consultation | None) -> Collection[str]:
    return tuple(getattr(consultation, "drafts_shown_languages", None) or ())


class LocalisedConsultation:
    """A consultation with its text in one language (or the source language, marked).

    The text is read when a page first uses it, with one query for the rows in the reader's
    language and the source language only: a page that shows none of it (a question page) sends
    no query for it, and no page loads the other languages' introductions and consent texts.
    """

    def __init__(
        self,
        consultation: Consultation,
        language: str,
        rows: Sequence[ConsultationText] | None = None,
    ) -> None:
        self.consultation = consultation
        self.wanted_language = language
        self._rows = rows

    @cached_property
    def _picked(self) -> tuple[ConsultationText, bool]:
        consultation = self.consultation
        rows = self._rows
        if rows is None:
            rows = _loaded(consultation, "texts")
        if rows is None:
            rows = db.session.scalars(
                sa.select(ConsultationText).where(
                    ConsultationText.consultation_id == consultation.id,
                    ConsultationText.language.in_(
                        _wanted(self.wanted_language, consultation.source_language)
                    ),
                )
            ).all()
        if not rows:
            rows = consultation.texts  # text only in a third language: any of them
        return pick_text(
            rows, self.wanted_language, consultation.source_language, _drafts_shown(consultation)
        )

    @property
    def text(self) -> ConsultationText:
        return self._picked[0]

    @property
    def is_fallback(self) -> bool:
        return self._picked[1]

    @property
    def language(self) -> str:
        return self.text.language

    @property
    def is_machine_draft(self) -> bool:
        """Shown although no person has checked it: the page says "machine translated"."""
        return not self.is_fallback and awaits_review(self.text)


@dataclass(frozen=True)
class LocalisedRecommendation:
    recommendation: Recommendation
    text: RecommendationText
    is_fallback: bool

    @property
    def language(self) -> str:
        return self.text.language

    @property
    def is_machine_draft(self) -> bool:
        return not self.is_fallback and awaits_review(self.text)


def _wanted(language: str, source_language: str) -> tuple[str, ...]:
    return (language,) if language == source_language else (language, source_language)


def _loaded(instance: object, relationship: str) -> list | None:
    """The relationship's rows when the session has already loaded them, else None (no query)."""
    value = sa.inspect(instance).attrs[relationship].loaded_value
    return None if value is NO_VALUE else value


def localise_consultation(consultation: Consultation, language: str) -> LocalisedConsultation:
    return LocalisedConsultation(consultation, language)


def localise_consultations(
    consultations: Sequence[Consultation], language: str
) -> list[LocalisedConsultation]:
    """Several consultations (the home page's list) with their texts read in one query."""
    if not consultations:
        return []
    wanted = {language} | {c.source_language for c in consultations}
    rows = db.session.scalars(
        sa.select(ConsultationText).where(
            ConsultationText.consultation_id.in_([c.id for c in consultations]),
            ConsultationText.language.in_(sorted(wanted)),
        )
    ).all()
    by_consultation: dict[int, list[ConsultationText]] = {c.id: [] for c in consultations}
    for row in rows:
        by_consultation[row.consultation_id].append(row)
    return [
        LocalisedConsultation(c, language, by_consultation[c.id] or None) for c in consultations
    ]


def localise_recommendation(
    recommendation: Recommendation, language: str, source_language: str
) -> LocalisedRecommendation:
    text, fallback = pick_text(
        recommendation.texts, language, source_language, _recommendation_drafts(recommendation)
    )
    return LocalisedRecommendation(recommendation, text, fallback)


def _recommendation_drafts(recommendation: Recommendation) -> Collection[str]:
    """The drafts-shown languages of the recommendation's consultation. Every page that shows a
    recommendation has read its consultation already: the many-to-one is found in the session's
    identity map, with no query."""
    return _drafts_shown(recommendation.consultation)


def localise_from(
    recommendation: Recommendation,
    rows: Sequence[RecommendationText],
    language: str,
    source_language: str,
) -> LocalisedRecommendation:
    """The recommendation with the best of `rows`, its texts read in the reader's language and the
    source language (by a page's own query)."""
    if not rows:  # no text in either language: any language it has
        return localise_recommendation(recommendation, language, source_language)
    text, fallback = pick_text(
        rows, language, source_language, _recommendation_drafts(recommendation)
    )
    return LocalisedRecommendation(recommendation, text, fallback)


def _with_texts(
    consultation: Consultation, language: str, *, include_hidden: bool = False
) -> sa.Select:
    """Recommendations of the consultation (the visible ones unless `include_hidden`), each with
    its text rows in the reader's language and the source language (none when it has neither)."""
    shown = sa.true() if include_hidden else Recommendation.visible
    return (
        sa.select(Recommendation, RecommendationText)
        .outerjoin(
            RecommendationText,
            sa.and_(
                RecommendationText.recommendation_id == Recommendation.id,
                RecommendationText.language.in_(_wanted(language, consultation.source_language)),
            ),
        )
        .where(Recommendation.consultation_id == consultation.id, shown)
    )


def localise_recommendations(
    consultation: Consultation, language: str, *, include_hidden: bool = False
) -> list[LocalisedRecommendation]:
    """All the recommendations in order, with their texts: one query, however many there are.

    Hidden ones (taken out by the organisers, their answers kept) only with `include_hidden`,
    after the visible ones: a receipt or a summary of the answers given may want them.
    """
    statement = _with_texts(consultation, language, include_hidden=include_hidden)
    order = (Recommendation.position <= 0, sa.func.abs(Recommendation.position))
    rows = db.session.execute(statement.order_by(*order))
    texts: dict[Recommendation, list[RecommendationText]] = {}
    for recommendation, text in rows:
        found = texts.setdefault(recommendation, [])
        if text is not None:
            found.append(text)
    return [
        localise_from(rec, found, language, consultation.source_language)
        for rec, found in texts.items()
    ]


def localise_recommendation_at(
    consultation: Consultation, position: int, language: str
) -> tuple[LocalisedRecommendation, int] | None:
    """The recommendation at `position` with its text, and how many recommendations the
    consultation has, in one query; None when there is none at that position.

    A question page shows one recommendation: it reads that one's text in the reader's language
    and the source language, not every recommendation's text in every language.
    """
    counted = aliased(Recommendation)
    total = (
        sa.select(sa.func.count(counted.id))
        .where(counted.consultation_id == consultation.id, counted.visible)
        .scalar_subquery()
    )
    statement = _with_texts(consultation, language).add_columns(total)
    rows = db.session.execute(statement.where(Recommendation.position == position)).all()
    if not rows:
        return None
    recommendation, count = rows[0][0], rows[0][2]
    found = [text for _rec, text, _count in rows if text is not None]
    return localise_from(recommendation, found, language, consultation.source_language), count
