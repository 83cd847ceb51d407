"""Moderation decisions on written answers: approve, redact, reject, escalate (one `decide`).

Each decision is one conditional UPDATE (`... WHERE moderation_state = 'pending'`), so when two
moderators act on the same answer at the same moment exactly one of them wins, on SQLite and
PostgreSQL alike; the other gets `AlreadyModerated` naming who decided. The original text is never
changed: the public version (redacted or not) is stored beside it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from consult import audit
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import ModerationState, Response, StaffUser
from consult.moderation import safeguarding
from consult.text.clean import clean_free_text
from consult.vocab import RejectReason


class AlreadyModerated(Exception):
    def __init__(self, response: Response, by: StaffUser | None) -> None:
        super().__init__(response.id)
        self.response = response
        self.by = by


class Decision(enum.StrEnum):
    """What a moderator can do with a pending answer (the buttons on the answer's page)."""

    APPROVE = "approve"
    REDACT = "redact"  # approve with a public version the moderator edited
    REJECT = "reject"
    ESCALATE = "escalate"  # to safeguarding: never published


# Each decision's resulting state and the audit action that records it.
_OUTCOMES: dict[Decision, tuple[ModerationState, str]] = {
    Decision.APPROVE: (ModerationState.APPROVED, "moderation.approved"),
    Decision.REDACT: (ModerationState.APPROVED, "moderation.redacted"),
    Decision.REJECT: (ModerationState.REJECTED, "moderation.rejected"),
    Decision.ESCALATE: (ModerationState.SAFEGUARDING, "moderation.escalated"),
}


# Called with each answer just approved (before the commit), e.g. to queue its machine translation.
# Other packages append to it at app start (`consult.translation.machine`), so that moderation
# imports nothing from them.
on_approved: list[Callable[[Response], None]] = []


class DecisionIncomplete(ValueError):
    """A redaction without a public version."""


def decide(
    response: Response,
    moderator: StaffUser,
    decision: Decision,
    *,
    public_text: str | None = None,
    reason: RejectReason | None = None,
    note: str | None = None,
) -> None:
    """Apply one moderator's decision to a pending answer; the original text is never changed.

    Approving publishes the text as written; redacting publishes `public_text` instead; rejecting
    records `reason` (OTHER when none is given) and `note`; escalating opens a safeguarding case
    with `note`. Raises AlreadyModerated when someone else decided first.
    """
    new_state, action = _OUTCOMES[decision]
    public: str | None = None
    if decision is Decision.APPROVE:
        public = response.text
    elif decision is Decision.REDACT:
        public = clean_free_text(public_text) or None
        if public is None:
            raise DecisionIncomplete("a redaction needs the public version")
    rejected = decision is Decision.REJECT
    cleaned_note = clean_free_text(note) or None
    _transition(
        response,
        moderator,
        new_state,
        public_text=public,
        reason=(reason or RejectReason.OTHER) if rejected else None,
        note=cleaned_note if rejected else None,
        action=action,
    )
    if decision is Decision.ESCALATE:
        safeguarding.open_case(response.id, moderator, cleaned_note or "")
    if new_state is ModerationState.APPROVED:
        for hook in on_approved:
            hook(response)


def _transition(
    response: Response,
    moderator: StaffUser,
    new_state: ModerationState,
    *,
    public_text: str | None,
    reason: str | None,
    note: str | None,
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


@dataclass(frozen=True)
class BulkResult:
    done: int
    already: list[AlreadyModerated]


def bulk(
    ids: list[int], moderator: StaffUser, decision: Decision, reason: RejectReason | None = None
) -> BulkResult:
    """The same decision on several answers; those someone else decided first are reported."""
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ValueError(f"{decision} cannot be applied in bulk")
    done, already = 0, []
    for response in db.session.scalars(sa.select(Response).where(Response.id.in_(ids))):
        try:
            decide(response, moderator, decision, reason=reason)
            done += 1
        except AlreadyModerated as error:
            already.append(error)
    return BulkResult(done, already)
