"""Organisers' writes to a consultation: create it, edit its settings and its source-language text,
and add, edit, reorder, hide and delete its recommendations.

Every write is audited (who, what, before/after for dates and status; never the text itself) and
checks the revision the organiser's form was made from: an edit made from an older revision raced
another organiser's edit and raises EditConflict instead of silently overwriting it.

Functions take plain arguments, may flush, and never commit: the view commits once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.core.extensions import db
from consult.models import (
    Consultation,
    ConsultationText,
    Recommendation,
    RecommendationText,
    RecommendationVersion,
    Response,
    StaffUser,
)
from consult.vocab import ConsultationStatus, RecommendationStage, TranslationStatus

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words the staff and participant addresses use beside a consultation's slug.
RESERVED_SLUGS = frozenset(
    {"new", "import", "export", "c", "r", "admin", "api", "staff", "static", "languages", "results"}
)
MIN_SMALL_GROUP_THRESHOLD = 3


class InvalidInput(ValueError):
    """What the organiser typed cannot be stored: a message per field (lazy, translated when
    shown)."""

    def __init__(self, errors: dict[str, list[Any]]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class EditConflict(Exception):
    """Another organiser saved this object after the form was made: nothing was changed."""

    def __init__(self, current: object) -> None:
        super().__init__(type(current).__name__)
        self.current = current


class HasAnswers(Exception):
    """A recommendation with answers cannot be deleted (hide it instead)."""


def _check_revision(row: Consultation | ConsultationText | Recommendation, revision: int) -> None:
    if row.revision != revision:
        raise EditConflict(row)


def _claim_revision(row: Consultation | ConsultationText | Recommendation, revision: int) -> None:
    """Raise the row's revision from `revision`, in one conditional UPDATE: of two organisers who
    send the same revision at once, the second finds it taken (after the first commits, on
    PostgreSQL) and gets EditConflict."""
    _check_revision(row, revision)
    table = type(row)
    claimed = db.session.execute(
        sa.update(table)
        .where(table.id == row.id, table.revision == revision)
        .values(revision=revision + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.refresh(row)
        raise EditConflict(row)
    db.session.refresh(row, ["revision"])


# --- validation ----------------------------------------------------------------------------------


@dataclass
class Settings:
    """What the settings form sets (the slug only at creation)."""

    source_language: str
    working_languages: list[str]
    interface_languages: list[str]
    opens_on: date | None
    closes_on: date | None
    retention_days: int
    small_group_threshold: int


def slug_errors(slug: str, *, exclude_id: int | None = None) -> list[Any]:
    if not SLUG_PATTERN.match(slug or "") or not 3 <= len(slug) <= 80:
        return [_l("Use 3 to 80 lower-case letters, digits and hyphens, such as “housing-2027”.")]
    if slug in RESERVED_SLUGS:
        return [_l("“%(slug)s” is a word the site's addresses use. Choose another.", slug=slug)]
    taken = sa.select(Consultation.id).where(Consultation.slug == slug)
    if exclude_id is not None:
        taken = taken.where(Consultation.id != exclude_id)
    if db.session.scalar(taken) is not None:
        return [_l("Another consultation already uses “%(slug)s”.", slug=slug)]
    return []


def settings_errors(settings: Settings, known_languages: Sequence[str]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    known = set(known_languages)
    if settings.source_language not in known:
        errors["source_language"] = [_l("Choose one of the languages listed.")]
    for name in ("working_languages", "interface_languages"):
        unknown = [code for code in getattr(settings, name) if code not in known]
        if unknown:
            errors[name] = [
                _l("Not a language this site offers: %(codes)s.", codes=", ".join(unknown))
            ]
    if not settings.interface_languages:
        errors.setdefault("interface_languages", []).append(
            _l("Offer participants at least one language.")
        )
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        errors["closes_on"] = [_l("The closing date is before the opening date.")]
    if settings.small_group_threshold < MIN_SMALL_GROUP_THRESHOLD:
        errors["small_group_threshold"] = [_l("The smallest group shown is 3 people or more.")]
    if settings.retention_days < 1:
        errors["retention_days"] = [_l("Keep answers for at least one day.")]
    return errors


def _settings_state(consultation: Consultation) -> dict[str, Any]:
    """What the audit log records of the settings: codes, dates and numbers only."""
    return {
        "source_language": consultation.source_language,
        "working_languages": list(consultation.working_languages or []),
        "interface_languages": list(consultation.interface_languages or []),
        "opens_on": consultation.opens_on.isoformat() if consultation.opens_on else None,
        "closes_on": consultation.closes_on.isoformat() if consultation.closes_on else None,
        "retention_days": consultation.retention_days,
        "small_group_threshold": consultation.small_group_threshold,
    }


def _changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [key for key in new if old.get(key) != new[key]]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


# --- consultations -------------------------------------------------------------------------------


def create_consultation(
    actor: StaffUser, slug: str, title: str, settings: Settings, known_languages: Sequence[str]
) -> Consultation:
    """A new draft consultation with its title in the source language.

    Raises InvalidInput (every problem at once) and changes nothing then.
    """
    errors = settings_errors(settings, known_languages)
    found = slug_errors(slug)
    if found:
        errors["slug"] = found
    if not (title or "").strip():
        errors["title"] = [_l("Give the consultation a title.")]
    if errors:
        raise InvalidInput(errors)
    consultation = Consultation(
        slug=slug,
        status=ConsultationStatus.DRAFT,
        consent_version=1,
        **vars(settings),
    )
    consultation.texts.append(
        ConsultationText(
            language=settings.source_language,
            title=title.strip(),
            status=TranslationStatus.REVIEWED,
            made_by=actor.email,
        )
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        "consultation.created",
        actor,
        object_type="consultation",
        object_id=consultation.id,
        new={"slug": slug, "status": consultation.status, **_settings_state(consultation)},
    )
    return consultation


def update_settings(
    actor: StaffUser,
    consultation: Consultation,
    revision: int,
    settings: Settings,
    known_languages: Sequence[str],
) -> None:
    """Raises InvalidInput or EditConflict, changing nothing then."""
    _check_revision(consultation, revision)
    errors = settings_errors(settings, known_languages)
    if settings.source_language != consultation.source_language and not _has_text_in(
        consultation, settings.source_language
    ):
        errors.setdefault("source_language", []).append(
            _l("The consultation has no text in this language yet: write it first.")
        )
    if errors:
        raise InvalidInput(errors)
    before = _settings_state(consultation)
    _claim_revision(consultation, revision)
    for name, value in vars(settings).items():
        setattr(consultation, name, value)
    db.session.flush()
    old, new = _changes(before, _settings_state(consultation))
    if new:
        audit.record(
            "consultation.settings_edited",
            actor,
            object_type="consultation",
            object_id=consultation.id,
            old=old,
            new=new,
        )


def _has_text_in(consultation: Consultation, language: str) -> bool:
    return any(text.language == language for text in consultation.texts)


def source_text(consultation: Consultation) -> ConsultationText | None:
    for text in consultation.texts:
        if text.language == consultation.source_language:
            return text
    return None


TEXT_FIELDS = ("title", "summary", "introduction", "consent", "question", "question_why")


def update_texts(
    actor: StaffUser,
    consultation: Consultation,
    revision: int,
    values: dict[str, str],
    *,
    consent_changes_agreement: bool,
) -> None:
    """Set the source-language title, summary, introduction, consent and question wording (an
    empty question keeps the interface's translated default).

    `consent_changes_agreement` ("this changes what participants agree to") bumps the consent
    version: drafts begun under the old one must agree again before they are sent.
    Raises InvalidInput or EditConflict, changing nothing then.
    """
    text = source_text(consultation)
    if text is not None:
        _check_revision(text, revision)
    cleaned = {name: (values.get(name) or "").strip() for name in TEXT_FIELDS}
    if not cleaned["title"]:
        raise InvalidInput({"title": [_l("Give the consultation a title.")]})
    if text is None:
        text = ConsultationText(language=consultation.source_language, title=cleaned["title"])
        consultation.texts.append(text)
        db.session.flush()
        changed = list(TEXT_FIELDS)
    else:
        changed = [n for n in TEXT_FIELDS if (getattr(text, n) or "") != cleaned[n]]
        _claim_revision(text, revision)
    for name in ("title", "summary", "introduction", "consent"):
        setattr(text, name, cleaned[name])
    text.question = cleaned["question"] or None
    text.question_why = cleaned["question_why"] or None
    text.made_by = actor.email
    text.status = TranslationStatus.REVIEWED
    old: dict[str, Any] = {}
    new: dict[str, Any] = {"fields": changed, "language": text.language}
    if consent_changes_agreement:
        old["consent_version"] = consultation.consent_version
        consultation.consent_version += 1
        new["consent_version"] = consultation.consent_version
    db.session.flush()
    if changed or consent_changes_agreement:
        audit.record(
            "consultation.texts_edited",
            actor,
            object_type="consultation",
            object_id=consultation.id,
            old=old or None,
            new=new,
        )


# --- recommendations -----------------------------------------------------------------------------


def _recommendation_errors(title: str, section: str, stage: str) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if not (title or "").strip():
        errors["title"] = [_l("Write the recommendation: it cannot be empty.")]
    if len((section or "").strip()) > 80:
        errors["section"] = [_l("Keep the section to 80 characters.")]
    if stage not in RecommendationStage.values():
        errors["stage"] = [_l("Choose one of the stages listed.")]
    return errors


def _visible_count(consultation: Consultation) -> int:
    return sum(1 for r in consultation.recommendations if r.visible)


def _new_key(consultation: Consultation) -> str:
    taken = {r.key for r in consultation.recommendations}
    number = len(taken) + 1
    while f"r{number}" in taken:
        number += 1
    return f"r{number}"


def add_recommendation(
    actor: StaffUser,
    consultation: Consultation,
    title: str,
    explanation: str,
    section: str,
    stage: str,
) -> Recommendation:
    """A new recommendation at the end, with its source-language text. Raises InvalidInput."""
    errors = _recommendation_errors(title, section, stage)
    if errors:
        raise InvalidInput(errors)
    recommendation = Recommendation(
        key=_new_key(consultation),
        position=_visible_count(consultation) + 1,
        section=(section or "").strip(),
        stage=stage,
    )
    recommendation.texts.append(
        RecommendationText(
            language=consultation.source_language,
            title=title.strip(),
            explanation=(explanation or "").strip(),
            status=TranslationStatus.REVIEWED,
            made_by=actor.email,
        )
    )
    consultation.recommendations.append(recommendation)
    db.session.flush()
    audit.record(
        "recommendation.added",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        new={"consultation_id": consultation.id, "position": recommendation.position},
    )
    return recommendation


def recommendation_source_text(recommendation: Recommendation) -> RecommendationText | None:
    language = recommendation.consultation.source_language
    for text in recommendation.texts:
        if text.language == language:
            return text
    return None


def answer_count(recommendation: Recommendation) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(Response.recommendation_id == recommendation.id)
    )


def edit_recommendation(
    actor: StaffUser,
    recommendation: Recommendation,
    revision: int,
    title: str,
    explanation: str,
    section: str,
    stage: str,
    *,
    meaning_changed: bool,
) -> None:
    """Change a recommendation's source text, section and stage.

    `meaning_changed` makes a new text version: the current text in every language is archived
    under the current version number, the number goes up, and the other languages' texts are
    removed (they translate the old meaning; participants see the new source text, marked, until
    it is translated again). Answers keep the version their participant read.
    Raises InvalidInput or EditConflict, changing nothing then.
    """
    _check_revision(recommendation, revision)
    errors = _recommendation_errors(title, section, stage)
    if errors:
        raise InvalidInput(errors)
    _claim_revision(recommendation, revision)
    old = {"section": recommendation.section, "stage": recommendation.stage}
    text = recommendation_source_text(recommendation)
    fields = []
    if text is None:
        text = RecommendationText(language=recommendation.consultation.source_language)
        recommendation.texts.append(text)
        fields = ["title", "explanation"]
    else:
        fields = [
            name
            for name, value in (("title", title.strip()), ("explanation", explanation.strip()))
            if getattr(text, name) != value
        ]
    old_version = recommendation.text_version
    if meaning_changed:
        _archive(recommendation)
        for other in [t for t in recommendation.texts if t is not text]:
            recommendation.texts.remove(other)
        recommendation.text_version += 1
    text.title = title.strip()
    text.explanation = (explanation or "").strip()
    text.made_by = actor.email
    text.status = TranslationStatus.REVIEWED
    recommendation.section = (section or "").strip()
    recommendation.stage = stage
    db.session.flush()
    before, after = _changes(
        old, {"section": recommendation.section, "stage": recommendation.stage}
    )
    if meaning_changed:
        before["text_version"] = old_version
        after["text_version"] = recommendation.text_version
    audit.record(
        "recommendation.edited",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        old=before or None,
        new={**after, "fields": fields},
    )


def _archive(recommendation: Recommendation) -> None:
    for text in recommendation.texts:
        db.session.add(
            RecommendationVersion(
                recommendation_id=recommendation.id,
                version=recommendation.text_version,
                language=text.language,
                title=text.title,
                explanation=text.explanation or "",
                made_by=text.made_by or "",
            )
        )


def _visible_in_order(consultation: Consultation) -> list[Recommendation]:
    return sorted((r for r in consultation.recommendations if r.visible), key=lambda r: r.position)


def _set_position(recommendation: Recommendation, position: int) -> None:
    recommendation.position = position
    db.session.flush()


def move_recommendation(actor: StaffUser, recommendation: Recommendation, step: int) -> bool:
    """Swap with the neighbour above (step -1) or below (+1); False when there is none."""
    if not recommendation.visible:
        return False
    ordered = _visible_in_order(recommendation.consultation)
    index = ordered.index(recommendation)
    target = index + step
    if not 0 <= target < len(ordered):
        return False
    other = ordered[target]
    mine, theirs = recommendation.position, other.position
    # Through 0, a position no recommendation has (visible ones are 1..N, hidden ones below 0).
    _set_position(recommendation, 0)
    _set_position(other, mine)
    _set_position(recommendation, theirs)
    audit.record(
        "recommendation.moved",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        old={"position": mine},
        new={"position": theirs},
    )
    return True


def hide_recommendation(actor: StaffUser, recommendation: Recommendation) -> None:
    """Take it out of what participants see; its answers stay. The ones after it move up."""
    if not recommendation.visible:
        return
    was = recommendation.position
    _set_position(recommendation, -recommendation.id)
    for later in _visible_in_order(recommendation.consultation):
        if later.position > was:
            _set_position(later, later.position - 1)
    audit.record(
        "recommendation.hidden",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        old={"position": was},
        new={"hidden": True},
    )


def show_recommendation(actor: StaffUser, recommendation: Recommendation) -> None:
    """Show a hidden recommendation again, at the end."""
    if recommendation.visible:
        return
    position = _visible_count(recommendation.consultation) + 1
    _set_position(recommendation, position)
    audit.record(
        "recommendation.shown",
        actor,
        object_type="recommendation",
        object_id=recommendation.id,
        old={"hidden": True},
        new={"position": position},
    )


def delete_recommendation(actor: StaffUser, recommendation: Recommendation) -> None:
    """Delete a recommendation nobody has answered. Raises HasAnswers otherwise."""
    if answer_count(recommendation):
        raise HasAnswers
    consultation = recommendation.consultation
    was, rid = recommendation.position, recommendation.id
    consultation.recommendations.remove(recommendation)
    db.session.flush()
    if was > 0:
        for later in _visible_in_order(consultation):
            if later.position > was:
                _set_position(later, later.position - 1)
    audit.record(
        "recommendation.deleted",
        actor,
        object_type="recommendation",
        object_id=rid,
        old={"consultation_id": consultation.id, "position": was},
    )
