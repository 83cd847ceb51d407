"""Writes: the outcome of each recommendation, its translations, exports on the record, publishing.

Domain functions in the codebase's manner: they take plain arguments, flush, never commit, and
record an audit event for each staff action (never with any text: ids, languages, counts).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationOutcome,
    StaffUser,
    TranslationStatus,
)
from consult.text.clean import clean_free_text
from consult.vocab import ConsultationStatus


class NotPublishable(Exception):
    """The consultation cannot be published; `problems` says why (lazy, translated)."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(len(problems))
        self.problems = problems


def visible_recommendations(consultation: Consultation) -> list[Recommendation]:
    """The recommendations participants see, in order (a hidden one has a position below 1)."""
    return [r for r in consultation.recommendations if r.position > 0]


def outcome_row(recommendation: Recommendation, language: str) -> RecommendationOutcome | None:
    return db.session.scalar(
        sa.select(RecommendationOutcome).where(
            RecommendationOutcome.recommendation_id == recommendation.id,
            RecommendationOutcome.language == language,
        )
    )


def _clean(text: str | None) -> str:
    return clean_free_text(text or "") or ""


def save_outcome(
    actor: StaffUser, recommendation: Recommendation, heard: str, will_do: str
) -> RecommendationOutcome:
    """Write the recommendation's outcome in its consultation's source language.

    When the text changes, the other languages' unreviewed machine drafts are deleted (they
    translate the old text; drafting again makes new ones). A person's translation is kept, and
    the translations page shows that the source changed after it.
    """
    source = recommendation.consultation.source_language
    heard, will_do = _clean(heard), _clean(will_do)
    row = outcome_row(recommendation, source)
    created = row is None
    if row is None:
        row = RecommendationOutcome(recommendation_id=recommendation.id, language=source)
        db.session.add(row)
    changed = created or row.heard != heard or row.will_do != will_do
    if not changed:
        return row
    row.heard, row.will_do = heard, will_do
    row.status = TranslationStatus.REVIEWED  # the organisers' own words: nothing to review
    row.made_by = actor.email
    row.updated_at = utcnow()
    stale = db.session.execute(
        sa.delete(RecommendationOutcome)
        .where(
            RecommendationOutcome.recommendation_id == recommendation.id,
            RecommendationOutcome.language != source,
            RecommendationOutcome.made_by.startswith("machine:"),
            RecommendationOutcome.status == TranslationStatus.DRAFT,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    audit.record(
        "outcome.written",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        new={"language": source, "machine_drafts_removed": stale},
    )
    return row


def save_outcome_translation(
    actor: StaffUser,
    recommendation: Recommendation,
    language: str,
    heard: str,
    will_do: str,
) -> RecommendationOutcome:
    """A person's translation (or review of a machine draft) of the outcome into `language`:
    stored as reviewed, made by them. The source language is written with `save_outcome`."""
    if language == recommendation.consultation.source_language:
        raise ValueError("the source language's outcome is written with save_outcome")
    row = outcome_row(recommendation, language)
    before = None
    if row is None:
        row = RecommendationOutcome(recommendation_id=recommendation.id, language=language)
        db.session.add(row)
    else:
        before = {"made_by": _provenance(row.made_by), "status": row.status}
    row.heard, row.will_do = _clean(heard), _clean(will_do)
    row.status = TranslationStatus.REVIEWED
    row.made_by = actor.email
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "outcome.translated",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        old=before,
        new={"language": language, "status": row.status},
    )
    return row


def _provenance(made_by: str) -> str:
    """ "machine:<provider>" as it is, a person as "human" (the audit event names the actor)."""
    return made_by if made_by.startswith("machine:") else "human"


def source_consultation_text(consultation: Consultation) -> ConsultationText | None:
    return next((t for t in consultation.texts if t.language == consultation.source_language), None)


def save_consultation_outcome(actor: StaffUser, consultation: Consultation, outcome: str) -> bool:
    """The consultation-wide outcome (`ConsultationText.outcome`, shown on receipts and above the
    results) in the source language. Returns whether it changed."""
    text = source_consultation_text(consultation)
    if text is None:
        raise LookupError("the consultation has no text in its source language")
    cleaned = _clean(outcome) or None
    if cleaned == text.outcome:
        return False
    text.outcome = cleaned
    db.session.flush()
    audit.record(
        "outcome.written",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new={"language": consultation.source_language, "consultation_wide": True},
    )
    return True


def record_drafts_requested(
    actor: StaffUser, consultation: Consultation, languages: list[str]
) -> None:
    """Machine drafts of the outcome asked for (the text goes to the configured provider)."""
    audit.record(
        "outcome.drafts_requested",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new={"languages": languages},
    )


# --- exports ------------------------------------------------------------------------------------


def record_export(
    actor: StaffUser,
    consultation: Consultation,
    fmt: str,
    *,
    full: bool,
    answers: int,
    file_id: int | None = None,
) -> None:
    """An export on the record: who, which consultation, which format, with or without the
    original texts, how many answers, and the file built for it when it is built in the
    background (consult.outcomes.export_files). Never any text."""
    new: dict[str, Any] = {"format": fmt, "with_original_texts": full, "answers": answers}
    if file_id is not None:
        new["file"] = file_id
    audit.record(
        "export.answers_with_originals" if full else "export.answers",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new=new,
    )


# --- publishing ---------------------------------------------------------------------------------


def publishing_problems(consultation: Consultation) -> list[Any]:
    """Why the consultation cannot be published yet (empty when it can)."""
    problems: list[Any] = []
    if consultation.status != ConsultationStatus.CLOSED:
        problems.append(_l("Only a closed consultation can be published."))
    source = consultation.source_language
    written = {
        row.recommendation_id
        for row in db.session.scalars(
            sa.select(RecommendationOutcome).where(
                RecommendationOutcome.recommendation_id.in_(
                    [r.id for r in consultation.recommendations]
                ),
                RecommendationOutcome.language == source,
            )
        )
        if row.is_complete
    }
    missing = [r for r in visible_recommendations(consultation) if r.id not in written]
    if missing:
        problems.append(
            _l(
                "Write what you heard and what you will do for every recommendation "
                "(missing: %(positions)s).",
                positions=", ".join(str(r.position) for r in missing),
            )
        )
    return problems


def publish(consultation: Consultation, actor: StaffUser) -> None:
    """Closed -> published: participants can read the outcome on the results page.

    One conditional UPDATE (`... WHERE status = 'closed'`), so two organisers pressing at once
    publish (and record) it once. Raises NotPublishable with every reason it cannot.
    """
    problems = publishing_problems(consultation)
    if problems:
        raise NotPublishable(problems)
    changed = db.session.execute(
        sa.update(Consultation)
        .where(
            Consultation.id == consultation.id,
            Consultation.status == ConsultationStatus.CLOSED,
        )
        .values(status=ConsultationStatus.PUBLISHED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(consultation)
    if not changed:
        raise NotPublishable([_l("Someone else changed the status meanwhile.")])
    audit.record(
        "consultation.status_changed",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        old={"status": ConsultationStatus.CLOSED},
        new={"status": ConsultationStatus.PUBLISHED},
    )


def stale_since(row: RecommendationOutcome, source_row: RecommendationOutcome | None) -> bool:
    """A translation older than the source text it translates."""
    return bool(source_row and row.updated_at < source_row.updated_at)
