"""What `flask --app consult purge` deletes, and the deleting.

- **Answers past retention.** The consent text promises that answers are deleted two years after
  the consultation ends: a consultation's answers (submitted and draft, with everything attached
  to them: moderation, translations, safeguarding cases, theme memberships, by the database's
  cascades) go once `closes_on + retention_days` is before today. A consultation without a closing
  date keeps its answers: it has not ended.
- **Expired drafts** (consult.participation.operations.purge_expired_drafts, as `purge-drafts`).
- **Export files.** Small exports are streamed from temporary files that the system deletes when
  they are closed; large XLSX exports are built in the background into the instance's `exports/`
  folder and expire a day after they were asked for (consult.outcomes.export_files, called by the
  purge command). Anything else left in that folder (an export saved there by hand, a file a crashed
  process left behind) older than a day is deleted too.

Each consultation's deletion is audited with counts only, under the command's name. Like every
domain function this one flushes and never commits; with `dry_run` it only counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from consult.core.extensions import db
from consult.core.timeutil import today as today_utc
from consult.core.timeutil import utcnow
from consult.models import Consultation, Response, Submission, SubmissionGroup
from consult.vocab import SubmissionState

EXPORTS_FOLDER = "exports"
ORPHANED_FILE_AGE = timedelta(days=1)


@dataclass
class ConsultationPurge:
    slug: str
    deletable_since: date
    submissions: int
    answers: int


@dataclass
class PurgeReport:
    consultations: list[ConsultationPurge] = field(default_factory=list)
    drafts: int = 0
    files: int = 0

    @property
    def submissions(self) -> int:
        return sum(c.submissions for c in self.consultations)

    @property
    def answers(self) -> int:
        return sum(c.answers for c in self.consultations)

    @property
    def deleted_anything(self) -> bool:
        return bool(self.submissions or self.drafts or self.files)


def retention_end(consultation: Consultation) -> date | None:
    """The first day on which the consultation's answers may no longer be kept; None: not ended."""
    if consultation.closes_on is None:
        return None
    return consultation.closes_on + timedelta(days=consultation.retention_days + 1)


def consultations_past_retention(on: date) -> list[tuple[Consultation, date]]:
    """The consultations whose answers may no longer be kept on `on`, each with that first day."""
    closed = db.session.scalars(
        sa.select(Consultation).where(Consultation.closes_on.is_not(None)).order_by(Consultation.id)
    ).all()
    return [(c, end) for c in closed if (end := retention_end(c)) is not None and end <= on]


def _count_answers(consultation_id: int) -> tuple[int, int]:
    submissions = db.session.scalar(
        sa.select(sa.func.count()).where(Submission.consultation_id == consultation_id)
    )
    answers = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .join(Submission, Submission.id == Response.submission_id)
        .where(Submission.consultation_id == consultation_id)
    )
    return submissions or 0, answers or 0


def _delete_answers(consultation_id: int) -> None:
    ids = sa.select(Submission.id).where(Submission.consultation_id == consultation_id)
    # Rows hanging off an answer (translations, moderation, safeguarding, themes) go by the
    # database's ON DELETE CASCADE.
    db.session.execute(sa.delete(Response).where(Response.submission_id.in_(ids)))
    db.session.execute(sa.delete(SubmissionGroup).where(SubmissionGroup.submission_id.in_(ids)))
    db.session.execute(sa.delete(Submission).where(Submission.consultation_id == consultation_id))
    from consult.summaries.tallies import forget_consultation

    forget_consultation(consultation_id)  # the dashboard's kept counts, in this transaction
    from consult.themes import tallies as theme_tallies

    theme_tallies.forget_consultation(consultation_id)  # the themes' kept counts, likewise


def orphaned_files(instance_path: Path, now: float | None = None) -> list[Path]:
    folder = instance_path / EXPORTS_FOLDER
    if not folder.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - ORPHANED_FILE_AGE.total_seconds()
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff
    )


def purge(
    instance_path: Path,
    *,
    on: date | None = None,
    dry_run: bool = False,
    by: str = "purge",
) -> PurgeReport:
    """Delete (or with `dry_run`, count) answers past retention, expired drafts, orphaned files."""
    from consult import audit
    from consult.participation.operations import purge_expired_drafts

    day = on or today_utc()
    report = PurgeReport()
    for consultation, end in consultations_past_retention(day):
        submissions, answers = _count_answers(consultation.id)
        report.consultations.append(ConsultationPurge(consultation.slug, end, submissions, answers))
        if dry_run or not submissions:
            continue
        _delete_answers(consultation.id)
        audit.record(
            "retention.answers_purged",
            actor_label=by,
            object_type="consultation",
            object_id=consultation.id,
            new={"submissions": submissions, "answers": answers},
        )
    files = orphaned_files(instance_path)
    report.files = len(files)
    if dry_run:
        report.drafts = (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    Submission.state == SubmissionState.DRAFT,
                    Submission.draft_expires_at <= utcnow(),
                )
            )
            or 0
        )
        return report
    report.drafts = purge_expired_drafts(by=by)
    for path in files:
        path.unlink(missing_ok=True)
    if files:
        audit.record("retention.files_purged", actor_label=by, new={"count": len(files)})
    db.session.flush()
    return report
