"""Machine drafts of consultation content (the consultation's texts, each recommendation, the
published outcome) in one of its languages, for an organiser or translator to review.

Only what is missing in that language is drafted, from the source language: a row that exists is
never touched, whoever made it. The one exception is the published outcome, which is written after
the rest: it is added to an existing row only when that row is itself an unreviewed machine draft.
A human or reviewed row without the outcome is reported (`ContentDrafts.skipped`), not changed.
Drafts are stored with status "draft" and made_by "machine:<provider>".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationText,
    TranslationStatus,
)
from consult.translation.machine import machine_provenance
from consult.translation.providers import (
    Provider,
    TranslationError,
    UnsupportedPair,
    provider_from_config,
)

JOB = "consult.translation.content.draft_content_translation"


@dataclass
class ContentDrafts:
    made: list[str] = field(default_factory=list)  # "consultation", "outcome", recommendation keys
    skipped: list[str] = field(default_factory=list)  # why something was not drafted


def _translate(provider: Provider, text: str | None, source: str, target: str) -> str:
    if not text or not text.strip():
        return text or ""
    return provider.translate(text, source, target)


def _is_machine_draft(row: ConsultationText) -> bool:
    return row.status == TranslationStatus.DRAFT and (row.made_by or "").startswith("machine:")


def draft_content_translation(consultation_id: int, language: str) -> ContentDrafts:
    """Draft the consultation's missing texts in `language` with the configured provider.

    Raises TranslationError when machine translation is off, UnsupportedPair when the provider
    cannot translate from the source language into `language`, ProviderUnavailable when it fails
    (then nothing is stored: every text is translated before any is written).
    """
    provider = provider_from_config(current_app.config)
    if provider is None:
        raise TranslationError("machine translation is off (CONSULT_TRANSLATION_PROVIDER=manual)")
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise LookupError(f"no consultation {consultation_id}")
    source = consultation.source_language
    result = ContentDrafts()
    if language == source:
        return result
    if not provider.supports(source, language):
        raise UnsupportedPair(f"{provider.name} does not translate {source} into {language}")
    made_by = machine_provenance(provider.name)
    pending: list[object] = []

    texts = {row.language: row for row in consultation.texts}
    original, existing = texts.get(source), texts.get(language)
    if original is not None and existing is None:
        pending.append(
            ConsultationText(
                consultation_id=consultation.id,
                language=language,
                title=_translate(provider, original.title, source, language),
                summary=_translate(provider, original.summary, source, language),
                introduction=_translate(provider, original.introduction, source, language),
                consent=_translate(provider, original.consent, source, language),
                section_titles={
                    key: _translate(provider, value, source, language)
                    for key, value in (original.section_titles or {}).items()
                },
                outcome=(
                    _translate(provider, original.outcome, source, language)
                    if original.outcome
                    else None
                ),
                status=TranslationStatus.DRAFT,
                made_by=made_by,
            )
        )
        result.made.append("consultation")
    elif (
        original is not None and existing is not None and original.outcome and not existing.outcome
    ):
        if _is_machine_draft(existing):
            outcome = _translate(provider, original.outcome, source, language)
            pending.append((existing, outcome))
            result.made.append("outcome")
        else:
            result.skipped.append("outcome: the text in this language was made by a person")

    recommendations = db.session.scalars(
        sa.select(Recommendation)
        .where(Recommendation.consultation_id == consultation.id)
        .order_by(Recommendation.position)
    )
    for recommendation in recommendations:
        by_language = {row.language: row for row in recommendation.texts}
        original_text = by_language.get(source)
        if original_text is None or language in by_language:
            continue
        pending.append(
            RecommendationText(
                recommendation_id=recommendation.id,
                language=language,
                title=_translate(provider, original_text.title, source, language),
                explanation=_translate(provider, original_text.explanation, source, language),
                status=TranslationStatus.DRAFT,
                made_by=made_by,
            )
        )
        result.made.append(recommendation.key)

    # Everything is translated: now store it.
    for item in pending:
        if isinstance(item, tuple):
            row, outcome = item
            row.outcome = outcome
        else:
            db.session.add(item)
    db.session.flush()
    return result
