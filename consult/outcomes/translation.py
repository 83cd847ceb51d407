"""Machine drafts of the outcomes in every interface language, for a person to review.

The same rules as the rest of the content (`consult.translation.content`): only what is missing in
a language is drafted, from the source language, with the configured provider; drafts are stored as
status "draft", made by "machine:<provider>", and participants see the source text (marked "shown
in ...") until a person reviews them (`consult.consultations.content.pick_text`). A person's row is
never touched. The consultation-wide outcome (`ConsultationText.outcome`) is drafted by the
existing content job, which this job runs too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from consult import jobs
from consult.core.extensions import db
from consult.i18n.languages import supported_languages
from consult.models import Consultation, RecommendationOutcome, TranslationStatus
from consult.translation.content import draft_content_translation
from consult.translation.machine import machine_provenance
from consult.translation.providers import TranslationError, UnsupportedPair, provider_from_config

JOB = "consult.outcomes.translation.draft_outcomes"


@dataclass
class OutcomeDrafts:
    made: list[str] = field(default_factory=list)  # recommendation keys
    content: list[str] = field(default_factory=list)  # what the content job drafted


def outcome_languages(consultation: Consultation) -> list[str]:
    """The languages participants may read the results in: the consultation's interface
    languages when it names them, else every supported one; the source language first."""
    offered = list(getattr(consultation, "interface_languages", None) or supported_languages())
    source = consultation.source_language
    return [source] + [code for code in offered if code != source]


def draft_outcome_translations(consultation_id: int, language: str) -> OutcomeDrafts:
    """Draft the missing outcomes in `language`. Raises TranslationError when machine translation
    is off, UnsupportedPair when the provider cannot translate into `language`, and
    ProviderUnavailable when it fails (then nothing is stored)."""
    provider = provider_from_config(current_app.config)
    if provider is None:
        raise TranslationError("machine translation is off (CONSULT_TRANSLATION_PROVIDER=manual)")
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise LookupError(f"no consultation {consultation_id}")
    source = consultation.source_language
    result = OutcomeDrafts()
    if language == source:
        return result
    if not provider.supports(source, language):
        raise UnsupportedPair(f"{provider.name} does not translate {source} into {language}")
    rows = db.session.scalars(
        sa.select(RecommendationOutcome).where(
            RecommendationOutcome.recommendation_id.in_(
                [r.id for r in consultation.recommendations]
            ),
            RecommendationOutcome.language.in_([source, language]),
        )
    ).all()
    originals = {r.recommendation_id: r for r in rows if r.language == source}
    existing = {r.recommendation_id for r in rows if r.language == language}
    keys = {r.id: r.key for r in consultation.recommendations}
    pending = []
    for recommendation_id, original in sorted(originals.items()):
        if recommendation_id in existing or not original.is_complete:
            continue
        pending.append(
            RecommendationOutcome(
                recommendation_id=recommendation_id,
                language=language,
                heard=provider.translate(original.heard, source, language),
                will_do=provider.translate(original.will_do, source, language),
                status=TranslationStatus.DRAFT,
                made_by=machine_provenance(provider.name),
            )
        )
        result.made.append(keys[recommendation_id])
    db.session.add_all(pending)  # everything translated: now store it
    db.session.flush()
    return result


def draft_outcomes(consultation_id: int, language: str) -> OutcomeDrafts:
    """The job: the outcomes, then the consultation's other missing texts (its outcome among
    them) with the content job."""
    result = draft_outcome_translations(consultation_id, language)
    result.content = draft_content_translation(consultation_id, language).made
    return result


def queue_outcome_drafts(consultation: Consultation) -> list[str]:
    """Queue the drafting job for every language the results are offered in (but the source);
    returns the languages queued. Nothing when machine translation is off."""
    provider = provider_from_config(current_app.config)
    if provider is None:
        return []
    languages = [
        code
        for code in outcome_languages(consultation)[1:]
        if provider.supports(consultation.source_language, code)
    ]
    for code in languages:
        jobs.enqueue(JOB, consultation.id, code)
    return languages
