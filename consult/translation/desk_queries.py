"""What the translation desk reads: which approved answers still need a human translation into which
working language, as a queue read page by page (keyset: see `consult.staff.paging`).

An answer needs a translation into a consultation's working language when it is approved (it has a
public version), its language is not that working language, and no person has translated it into
that language yet; a machine draft does not count. An empty list of working languages means the
consultation's source language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import (
    Consultation,
    ModerationState,
    Recommendation,
    Response,
    ResponseTranslation,
    StaffUser,
)
from consult.models.moderation import TranslationSkip
from consult.staff.paging import Count, Cursor, Keyset, Page, in_key_order
from consult.vocab import Role

HUMAN = "human"


def working_languages(consultation: Consultation) -> list[str]:
    """The languages organisers read this consultation's answers in (default: its source)."""
    return list(consultation.working_languages or []) or [consultation.source_language]


def _confidence_bound() -> float:
    # Imported here: the detector's module loads its language models at import.
    from consult.text.langdetect import LOW_CONFIDENCE

    return LOW_CONFIDENCE


def language_of(response: Response) -> str | None:
    """The language an answer is written in: the detected one when the detector was confident,
    else the one the participant's interface was in (None when neither is known)."""
    if response.detected_language and (response.detected_confidence or 0) >= _confidence_bound():
        return response.detected_language
    return response.text_language


def answer_language() -> sa.ColumnElement[str | None]:
    """`language_of` as an SQL expression."""
    confident = sa.and_(
        Response.detected_language.is_not(None),
        Response.detected_confidence >= _confidence_bound(),
    )
    return sa.case((confident, Response.detected_language), else_=Response.text_language)


def is_translatable(response: Response) -> bool:
    """Approved, with a public version: the answers translators read and translate."""
    return (
        response.moderation_state == ModerationState.APPROVED and response.public_text is not None
    )


def needed_translations(response: Response) -> list[str]:
    """The working languages this answer still needs a human translation into (none unless it is
    approved), in the consultation's order."""
    if not is_translatable(response):
        return []
    done = set(
        db.session.scalars(
            sa.select(ResponseTranslation.language).where(
                ResponseTranslation.response_id == response.id,
                ResponseTranslation.provenance == HUMAN,
            )
        )
    )
    written_in = language_of(response)
    return [
        language
        for language in working_languages(response.recommendation.consultation)
        if language != written_in and language not in done
    ]


@dataclass(frozen=True)
class DeskFilters:
    source_language: str | None = None
    target_language: str | None = None
    consultation_id: int | None = None


def translator_ids() -> list[int]:
    """The active staff members with the translator role (a small table; roles are a JSON list)."""
    staff = db.session.scalars(sa.select(StaffUser).where(StaffUser.active.is_(True)))
    return [user.id for user in staff if user.has_role(Role.TRANSLATOR)]


def _targets(filters: DeskFilters) -> dict[str, list[int]]:
    """Each target language the filters allow, with the consultations that read in it."""
    query = sa.select(Consultation).order_by(Consultation.id)
    if filters.consultation_id:
        query = query.where(Consultation.id == filters.consultation_id)
    targets: dict[str, list[int]] = {}
    for consultation in db.session.scalars(query):
        for language in working_languages(consultation):
            if filters.target_language in (None, language):
                targets.setdefault(language, []).append(consultation.id)
    return targets


def _nobody_can_read(target: str, translators: list[int]) -> sa.ColumnElement[bool]:
    """Every translator has said they cannot read this answer (for this target)."""
    if not translators:
        return sa.false()
    flagged = (
        sa.select(sa.func.count())
        .where(
            TranslationSkip.response_id == Response.id,
            TranslationSkip.language == target,
            TranslationSkip.staff_user_id.in_(translators),
        )
        .scalar_subquery()
    )
    return flagged >= len(translators)


def _keyset(filters: DeskFilters, reader_id: int) -> Keyset:
    """The queue as one branch per target language, each reading approved answers in id order.

    A pair (answer, target) that `reader_id` flagged as unreadable is left out for them, unless
    every translator flagged it: then it comes back for everyone, marked "nobody can read this yet".
    """
    language = answer_language()
    translators = translator_ids()
    branches = []
    for target, consultation_ids in _targets(filters).items():
        branch = sa.select(Response.id).where(
            Response.moderation_state == ModerationState.APPROVED,
            Response.public_text.is_not(None),
            Response.recommendation_id.in_(
                sa.select(Recommendation.id).where(
                    Recommendation.consultation_id.in_(consultation_ids)
                )
            ),
            sa.or_(language.is_(None), language != target),
            ~sa.exists().where(
                ResponseTranslation.response_id == Response.id,
                ResponseTranslation.language == target,
                ResponseTranslation.provenance == HUMAN,
            ),
            sa.or_(
                ~sa.exists().where(
                    TranslationSkip.response_id == Response.id,
                    TranslationSkip.language == target,
                    TranslationSkip.staff_user_id == reader_id,
                ),
                _nobody_can_read(target, translators),
            ),
        )
        if filters.source_language:
            branch = branch.where(language == filters.source_language)
        branches.append(branch)
    return Keyset(Response.id, branches)


@dataclass(frozen=True)
class Target:
    """One working language an answer on the desk needs a translation into."""

    language: str
    # The provenance of a machine draft waiting for a person ("machine:argos"), if any.
    machine_draft: str | None = None
    nobody_can_read: bool = False


@dataclass(frozen=True)
class DeskItem:
    response: Response
    language: str | None  # the answer's own language, when known
    targets: list[Target]


def desk_queue(
    filters: DeskFilters, reader_id: int, cursor: Cursor | None = None, limit: int = 50
) -> Page[DeskItem]:
    """A page of the answers that need a translation, oldest first, each with the target languages
    it needs (those the filters allow and the reader has not flagged)."""
    ids = _keyset(filters, reader_id).page(cursor or Cursor(), limit)
    return ids.map_rows(lambda page_ids: _items(page_ids, filters, reader_id))


def desk_count(filters: DeskFilters, reader_id: int) -> Count:
    """How many answers need a translation, up to the bound ("1,000+")."""
    return _keyset(filters, reader_id).count()


def _items(page_ids: list[int], filters: DeskFilters, reader_id: int) -> list[DeskItem]:
    responses = in_key_order(
        db.session.scalars(sa.select(Response).where(Response.id.in_(page_ids))),
        page_ids,
        lambda row: row.id,
    )
    translations = _by_response(
        db.session.scalars(
            sa.select(ResponseTranslation).where(ResponseTranslation.response_id.in_(page_ids))
        )
    )
    skips = _by_response(
        db.session.scalars(
            sa.select(TranslationSkip).where(TranslationSkip.response_id.in_(page_ids))
        )
    )
    translators = set(translator_ids())
    items = []
    for response in responses:
        written_in = language_of(response)
        done = {t.language for t in translations.get(response.id, []) if t.provenance == HUMAN}
        drafts = {
            t.language: t.provenance
            for t in translations.get(response.id, [])
            if t.provenance != HUMAN
        }
        targets = []
        for language in working_languages(response.recommendation.consultation):
            if language == written_in or language in done:
                continue
            if filters.target_language not in (None, language):
                continue
            flagged = {
                s.staff_user_id for s in skips.get(response.id, []) if s.language == language
            }
            nobody = bool(translators) and translators <= flagged
            if reader_id in flagged and not nobody:
                continue
            targets.append(Target(language, drafts.get(language), nobody))
        items.append(DeskItem(response, written_in, targets))
    return items


def _by_response(rows: Iterable[ResponseTranslation | TranslationSkip]) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.response_id, []).append(row)
    return grouped


def machine_draft(response: Response, language: str) -> ResponseTranslation | None:
    """The newest machine draft of this answer in `language`, if any."""
    return db.session.scalar(
        sa.select(ResponseTranslation)
        .where(
            ResponseTranslation.response_id == response.id,
            ResponseTranslation.language == language,
            ResponseTranslation.provenance != HUMAN,
        )
        .order_by(ResponseTranslation.created_at.desc(), ResponseTranslation.id.desc())
        .limit(1)
    )


def human_translation(response: Response, language: str) -> ResponseTranslation | None:
    return db.session.scalar(
        sa.select(ResponseTranslation).where(
            ResponseTranslation.response_id == response.id,
            ResponseTranslation.language == language,
            ResponseTranslation.provenance == HUMAN,
        )
    )


def consultations() -> list[Consultation]:
    """Every consultation, for the desk's filter."""
    return list(db.session.scalars(sa.select(Consultation).order_by(Consultation.id)))
