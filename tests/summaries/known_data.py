"""Known answers for the dashboard's tests, written as the participation code stores them.

`add_people(app, rec_stances, language=..., stage=..., groups=..., day=...)` adds one submitted
submission per entry: each entry gives the stance chosen for each recommendation (by position).
Rows are inserted directly (submitted state, date, profile), so a test can build exact counts, and
counted in the dashboard's kept tallies as `submit` counts them.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

import sqlalchemy as sa
from flask import Flask

from consult.core.extensions import db
from consult.models import Consultation, Recommendation, Response, Submission, SubmissionGroup
from consult.summaries.tallies import count_submission
from tests.support.journey import SLUG

_serial = itertools.count(1)


def consultation_id(app: Flask, slug: str = SLUG) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == slug))


def add_people(
    app: Flask,
    count: int,
    stances: dict[int, str],
    language: str = "en",
    stage: str | None = None,
    groups: tuple[str, ...] = (),
    day: date = date(2026, 3, 1),
    slug: str = SLUG,
    state: str = "submitted",
    texts: dict[int, tuple[str, str]] | None = None,
) -> None:
    """`count` people who chose `stances[position]` for those recommendations; `texts` gives a
    position's (text, moderation state) when they also wrote something."""
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
        recs = {
            r.position: r
            for r in db.session.scalars(
                sa.select(Recommendation).where(Recommendation.consultation_id == consultation.id)
            )
        }
        for _ in range(count):
            serial = next(_serial)
            submission = Submission(
                consultation_id=consultation.id,
                receipt_hash=hashlib.sha256(f"known-{serial}-{id(app)}".encode()).hexdigest(),
                state=state,
                language=language,
                channel="web",
                consent_version=1,
                created_on=day,
                submitted_on=day if state == "submitted" else None,
                stage=stage,
                groups_declined=False,
            )
            db.session.add(submission)
            db.session.flush()
            for group in groups:
                db.session.add(SubmissionGroup(submission_id=submission.id, group=group))
            for position, stance in stances.items():
                text, moderation = (texts or {}).get(position, (None, None))
                db.session.add(
                    Response(
                        submission_id=submission.id,
                        recommendation_id=recs[position].id,
                        stance=stance,
                        text=text,
                        text_language=language if text else None,
                        moderation_state=moderation,
                        public_text=text if moderation == "approved" else None,
                    )
                )
            db.session.flush()
            db.session.expire(submission, ["responses", "groups"])
            count_submission(submission)  # as `submit` does, in the same transaction
        db.session.commit()
