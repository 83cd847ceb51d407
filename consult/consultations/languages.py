"""A consultation's content in each of its languages: where each text stands, translating it,
marking it reviewed, and choosing in which languages participants also see drafts.

A text row is one language's version of the consultation's texts (title, summary, introduction,
consent, question wording) or of one recommendation (title, explanation). Its state is one of
`missing`, `machine` (an unreviewed machine draft), `human` (a person's unreviewed draft) and
`reviewed` (with who and when). Operations flush, never commit; each writes an audit event with
languages, field names and ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.audit.log import record
from consult.consultations.content import awaits_review
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.i18n.languages import supported_languages
from consult.models import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationText,
    StaffUser,
)
from consult.vocab import TranslationStatus

MISSING, MACHINE, HUMAN, REVIEWED = "missing", "machine", "human", "reviewed"
STATE_LABELS = {
    MISSING: _l("Missing"),
    MACHINE: _l("Machine draft"),
    HUMAN: _l("Human draft"),
    REVIEWED: _l("Reviewed"),
}
# The consultation's own texts in the grid, in the editor's order.
CONSULTATION_FIELDS = ("title", "summary", "introduction", "consent", "question", "question_why")
FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "introduction": _l("Introduction"),
    "consent": _l("Consent text"),
    "question": _l("Question"),
    "question_why": _l("Second question (why?)"),
    "explanation": _l("Explanation"),
}
RECOMMENDATION_FIELDS = ("title", "explanation")


class EditRaced(Exception):
    """Someone saved this text after the editor was opened: nothing was changed."""

    def __init__(self, current: ConsultationText | RecommendationText) -> None:
        super().__init__("edit raced")
        self.current = current


def row_state(row: ConsultationText | RecommendationText | None) -> str:
    if row is None:
        return MISSING
    if row.status == TranslationStatus.REVIEWED:
        return REVIEWED
    return MACHINE if awaits_review(row) else HUMAN


def field_state(row: ConsultationText | None, name: str) -> str:
    """A field left empty is missing, except the question wording, whose default is translated."""
    if row is None:
        return MISSING
    if name not in ("question", "question_why") and not (getattr(row, name) or "").strip():
        return MISSING
    return row_state(row)


def content_languages(consultation: Consultation) -> list[str]:
    """The languages the grid shows: the source language first, then the interface languages
    offered to participants (every language of the site when none were chosen), then any other
    language that has text."""
    offered = list(consultation.interface_languages or []) or supported_languages()
    have = {t.language for t in consultation.texts}
    for rec in consultation.recommendations:
        have.update(t.language for t in rec.texts)
    ordered = [consultation.source_language]
    for code in [*offered, *sorted(have)]:
        if code not in ordered:
            ordered.append(code)
    return ordered


@dataclass
class GridRow:
    label: Any
    kind: str  # "consultation" or "recommendation"
    key: str | None  # recommendation key
    cells: dict[str, str]  # language -> state


def status_grid(consultation: Consultation, languages: list[str]) -> list[GridRow]:
    texts = {t.language: t for t in consultation.texts}
    rows = [
        GridRow(
            FIELD_LABELS[name],
            "consultation",
            None,
            {code: field_state(texts.get(code), name) for code in languages},
        )
        for name in CONSULTATION_FIELDS
    ]
    for rec in consultation.recommendations:
        by_language = {t.language: t for t in rec.texts}
        source = by_language.get(consultation.source_language)
        label = source.title if source is not None else rec.key
        rows.append(
            GridRow(
                label,
                "recommendation",
                rec.key,
                {code: row_state(by_language.get(code)) for code in languages},
            )
        )
    return rows


def text_row(consultation: Consultation, language: str) -> ConsultationText | None:
    return next((t for t in consultation.texts if t.language == language), None)


def recommendation_row(recommendation: Recommendation, language: str) -> RecommendationText | None:
    return next((t for t in recommendation.texts if t.language == language), None)


def _stamp(row: datetime | None) -> str:
    return row.isoformat() if row else ""


def edit_token(row: ConsultationText | RecommendationText | None) -> str:
    """What the editor sends back to detect a race: when the row was last saved."""
    return _stamp(row.updated_at) if row is not None else ""


def save_translation(
    actor: StaffUser,
    consultation: Consultation,
    language: str,
    values: dict[str, Any],
    *,
    token: str,
    reviewed: bool,
    recommendation: Recommendation | None = None,
) -> ConsultationText | RecommendationText:
    """Store a person's translation in `language` (a human draft, or reviewed when `reviewed`).

    Raises EditRaced when the row changed since the editor showed it (`token`)."""
    if language == consultation.source_language:
        raise ValueError("the source text is edited on the authoring pages")
    if recommendation is None:
        row: Any = text_row(consultation, language)
        model, parent_rows, fields, object_type = (
            ConsultationText,
            consultation.texts,
            CONSULTATION_FIELDS,
            "consultation_text",
        )
    else:
        row = recommendation_row(recommendation, language)
        model, parent_rows, fields, object_type = (
            RecommendationText,
            recommendation.texts,
            RECOMMENDATION_FIELDS,
            "recommendation_text",
        )
    if edit_token(row) != token:
        raise EditRaced(row)
    before = row_state(row)
    if row is None:
        row = model(language=language, title="")
        parent_rows.append(row)
    cleaned = {name: (values.get(name) or "").strip() for name in fields}
    for name in ("question", "question_why"):
        if name in cleaned and not cleaned[name]:
            cleaned[name] = None
    changed = [name for name in fields if getattr(row, name) != cleaned[name]]
    for name in changed:
        setattr(row, name, cleaned[name])
    if "section_titles" in values and recommendation is None:
        titles = {k: v.strip() for k, v in values["section_titles"].items() if v.strip()}
        if titles != (row.section_titles or {}):
            row.section_titles = titles
            changed.append("section_titles")
    if changed or row_state(row) == MACHINE:
        # A person has written or accepted this text: it is theirs now.
        row.made_by = actor.email
    if reviewed:
        row.status = TranslationStatus.REVIEWED
        row.reviewed_by, row.reviewed_at = actor.email, utcnow()
    elif changed:
        row.status = TranslationStatus.DRAFT
        row.reviewed_by, row.reviewed_at = None, None
    row.updated_at = utcnow()
    db.session.flush()
    after = row_state(row)
    record(
        "content.translation_reviewed" if reviewed else "content.translation_saved",
        actor,
        object_type=object_type,
        object_id=row.id,
        old={"state": before},
        new={
            "consultation": consultation.slug,
            "language": language,
            "recommendation": recommendation.key if recommendation else None,
            "fields": changed,
            "state": after,
        },
    )
    return row


def set_drafts_shown(actor: StaffUser, consultation: Consultation, languages: list[str]) -> bool:
    """Choose the languages in which participants also see drafts (machine ones labelled)."""
    wanted = sorted({code for code in languages if code != consultation.source_language})
    old = sorted(consultation.drafts_shown_languages or [])
    if wanted == old:
        return False
    consultation.drafts_shown_languages = wanted
    db.session.flush()
    record(
        "content.drafts_shown_changed",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        old={"drafts_shown_languages": old},
        new={"drafts_shown_languages": wanted},
    )
    return True


def record_machine_request(actor: StaffUser, consultation: Consultation, language: str) -> None:
    record(
        "content.machine_drafts_requested",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new={"language": language},
    )
