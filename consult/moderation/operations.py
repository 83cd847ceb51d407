"""Moderation of written answers: the queue, the decisions, and safeguarding.

Each decision is one conditional UPDATE (`... WHERE moderation_state = 'pending'`), so when two
moderators act on the same answer at the same moment exactly one of them wins, on SQLite and
PostgreSQL alike; the other gets `AlreadyModerated` naming who decided. The original text is never
changed: the public version (redacted or not) is stored beside it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import (
    ModerationState,
    Recommendation,
    Response,
    SafeguardingCase,
    StaffUser,
    Submission,
    SubmissionState,
)
from consult.text.redaction import find_personal_data


class RejectReason(enum.StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    IDENTIFIES_SOMEONE = "identifies_someone"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class AlreadyModerated(Exception):
    def __init__(self, response: Response, by: StaffUser | None) -> None:
        super().__init__(response.id)
        self.response = response
        self.by = by


def personal_data_kinds(text: str | None) -> str | None:
    if not text:
        return None
    kinds = sorted({hit.kind for hit in find_personal_data(text)})
    return ",".join(kinds) or None


@dataclass(frozen=True)
class QueueFilters:
    consultation_id: int | None = None
    # The recommendation's number in its consultation ("Idea 3"), as staff and participants see it.
    recommendation_position: int | None = None
    language: str | None = None
    state: str = ModerationState.PENDING
    personal_data: bool | None = None


def queue(filters: QueueFilters, limit: int = 50, offset: int = 0) -> tuple[list[Response], int]:
    """Submitted written answers matching the filters, oldest first, and how many there are."""
    query = (
        sa.select(Response)
        .join(Response.submission)
        .where(Submission.state == SubmissionState.SUBMITTED, Response.text.is_not(None))
        .where(Response.moderation_state == filters.state)
    )
    if filters.consultation_id:
        query = query.where(Submission.consultation_id == filters.consultation_id)
    if filters.recommendation_position:
        query = query.where(
            Response.recommendation.has(Recommendation.position == filters.recommendation_position)
        )
    if filters.language:
        query = query.where(
            sa.or_(
                Response.detected_language == filters.language,
                Response.text_language == filters.language,
            )
        )
    if filters.personal_data is True:
        query = query.where(Response.personal_data_kinds.is_not(None))
    elif filters.personal_data is False:
        query = query.where(Response.personal_data_kinds.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(joinedload(Response.recommendation).joinedload(Recommendation.texts))
        .order_by(Response.id)
        .limit(limit)
        .offset(offset)
    ).unique()
    return list(rows), total


def _decide(
    response: Response,
    moderator: StaffUser,
    new_state: ModerationState,
    *,
    public_text: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    action: str,
) -> None:
    result = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.moderation_state == ModerationState.PENDING)
        .values(
            moderation_state=new_state,
            public_text=public_text,
            moderation_reason=reason,
            moderation_note=note,
            moderated_by_id=moderator.id,
            moderated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(response)
        by = (
            db.session.get(StaffUser, response.moderated_by_id)
            if response.moderated_by_id
            else None
        )
        raise AlreadyModerated(response, by)
    db.session.expire(response)
    new = {"state": str(new_state)}
    if reason:
        new["reason"] = reason
    audit.record(
        action, moderator, object_type="response", object_id=response.id,
        old={"state": "pending"}, new=new,
    )  # fmt: skip


def approve(response: Response, moderator: StaffUser) -> None:
    _decide(
        response,
        moderator,
        ModerationState.APPROVED,
        public_text=response.text,
        action="moderation.approved",
    )


def redact_and_approve(response: Response, moderator: StaffUser, public_text: str) -> None:
    """Approve with a public version the moderator edited; the original stays as it was."""
    _decide(
        response,
        moderator,
        ModerationState.APPROVED,
        public_text=public_text,
        action="moderation.redacted",
    )


def reject(
    response: Response, moderator: StaffUser, reason: RejectReason, note: str | None = None
) -> None:
    _decide(
        response,
        moderator,
        ModerationState.REJECTED,
        reason=reason,
        note=note,
        action="moderation.rejected",
    )


def escalate(response: Response, moderator: StaffUser, note: str = "") -> SafeguardingCase:
    """Send an answer that shows someone at risk to safeguarding; it is never published."""
    _decide(response, moderator, ModerationState.SAFEGUARDING, action="moderation.escalated")
    case = SafeguardingCase(response_id=response.id, opened_by_id=moderator.id, note=note)
    db.session.add(case)
    db.session.flush()
    return case


@dataclass(frozen=True)
class BulkResult:
    done: int
    already: list[AlreadyModerated]


def bulk(
    ids: list[int], moderator: StaffUser, action: str, reason: RejectReason | None = None
) -> BulkResult:
    done, already = 0, []
    for response in db.session.scalars(sa.select(Response).where(Response.id.in_(ids))):
        try:
            if action == "approve":
                approve(response, moderator)
            else:
                reject(response, moderator, reason or RejectReason.OTHER)
            done += 1
        except AlreadyModerated as error:
            already.append(error)
    return BulkResult(done, already)


def other_answers(response: Response) -> list[Response]:
    """The rest of the same participant's submission, for context."""
    return [r for r in response.submission.responses if r.id != response.id]


def safeguarding_cases(handled: bool | None = None) -> list[SafeguardingCase]:
    query = sa.select(SafeguardingCase).order_by(
        SafeguardingCase.handled, SafeguardingCase.opened_at.desc()
    )
    if handled is not None:
        query = query.where(SafeguardingCase.handled == handled)
    return list(db.session.scalars(query))


def update_case(case: SafeguardingCase, actor: StaffUser, note: str, handled: bool) -> None:
    old = {"handled": case.handled, "note_changed": False}
    new = {"handled": handled, "note_changed": note != case.note}
    if old["handled"] == handled and not new["note_changed"]:
        return
    case.note = note
    if handled and not case.handled:
        case.handled_by_id, case.handled_at = actor.id, utcnow()
    elif not handled:
        case.handled_by_id, case.handled_at = None, None
    case.handled = handled
    audit.record("safeguarding.updated", actor, object_type="safeguarding_case", object_id=case.id,
                 old={"handled": old["handled"]}, new=new)  # fmt: skip
    db.session.flush()
