"""Checking the audit log's hash chain (events are sealed in `consult.models.audit`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.core.extensions import db
from consult.models import AuditEvent
from consult.models.audit import GENESIS_HASH, HASHED_FIELDS, event_hash

BATCH_SIZE = 1000


@dataclass(frozen=True)
class ChainReport:
    count: int  # events checked (up to the first broken link)
    latest_hash: str  # the hash of the last event checked; GENESIS_HASH for an empty log
    broken_at: int | None = None  # id of the first event that does not check out
    problem: str = ""
    anchor_found: bool | None = None  # None: no anchor was asked for

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.anchor_found is not False


def verify_chain(anchor: str | None = None) -> ChainReport:
    """Walk the log in id order: each event must follow the one before it and match its own hash.

    `anchor` is a hash noted earlier (the latest one `audit verify` printed): it must still be in
    the chain, which a rewrite of the whole chain or a removal of its last events cannot keep.
    """
    columns = [AuditEvent.id, AuditEvent.hash, *(getattr(AuditEvent, f) for f in HASHED_FIELDS)]
    rows = db.session.execute(
        sa.select(*columns).order_by(AuditEvent.id).execution_options(yield_per=BATCH_SIZE)
    )
    previous, previous_id, count = GENESIS_HASH, None, 0
    anchor_found = None if anchor is None else anchor == GENESIS_HASH
    try:
        for row in rows:
            fields = row._mapping
            problem = ""
            if fields["previous_hash"] != previous:
                after = f"event {previous_id}" if previous_id is not None else "the start"
                problem = f"does not follow {after} (an event was removed, inserted or rewritten)"
            elif event_hash(fields) != row.hash:
                problem = "its fields do not match its hash (changed after it was written)"
            if problem:
                return ChainReport(count, previous, row.id, problem, anchor_found)
            previous, previous_id, count = row.hash, row.id, count + 1
            if anchor is not None and row.hash == anchor:
                anchor_found = True
    finally:
        rows.close()
    return ChainReport(count, previous, anchor_found=anchor_found)
