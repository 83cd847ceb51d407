"""Computing themes in the background, and the organisers' edits that survive recomputation.

- `request_recompute(recommendation_id)`: marks the cached themes as pending and queues the job
  `recompute` (consult/jobs.py: RQ with Redis, in-process after the response otherwise) once the
  transaction commits. Called by moderation's `on_approved` hook and whenever a translation of an
  answer is saved (a session listener, so the translation desk needs no change).
- `recompute(recommendation_id)`: the job. Same input as last time (fingerprint) → nothing changes.
  Otherwise the computed themes are replaced by new ones; organisers' (pinned) themes keep their
  answers, answers approved since they were pinned join them by similarity (never one an
  organiser took out), and a new computed theme mostly made of a pinned or discarded theme's
  answers is dropped, so a merged, split or discarded theme does not come back.
- Edits: rename, merge, split, discard, move an answer, mark reviewed. Each pins the themes it
  touches, records who reviewed them, and writes an audit event with ids only.
- The themes' kept counts per filter combination (`consult.themes.tallies`) are counted again when
  a run ends and for the themes a move, split or merge touches, and a submitted submission deleted
  through the session is taken out of them first (`_submissions_deleted`), each in the same
  transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask

from consult import audit, jobs
from consult.core.extensions import db
from consult.core.timeutil import utcnow
from consult.models import (
    Recommendation,
    Response,
    ResponseTranslation,
    StaffUser,
    Submission,
    SubmissionState,
)
from consult.models.themes import Theme, ThemeMember, ThemeRun
from consult.themes import tallies
from consult.themes.inputs import load_inputs

log = logging.getLogger(__name__)

JOB = "consult.themes.operations.recompute"
# A new computed theme whose answers are at least this much an organiser's theme's is dropped.
COVERED = 0.5
MAX_LABEL = 200
_QUEUED_KEY = "consult.themes.queued"


class ThemeEditError(ValueError):
    """An edit that cannot be applied (themes of different recommendations, empty label, ...)."""


# --- scheduling -------------------------------------------------------------------------------


def request_recompute(recommendation_id: int) -> None:
    """Mark the recommendation's themes pending and queue their recomputation after the commit
    (once per transaction and recommendation)."""
    queued = db.session.info.setdefault(_QUEUED_KEY, set())
    db.session.execute(
        sa.update(ThemeRun)
        .where(ThemeRun.recommendation_id == recommendation_id)
        .values(requested_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if recommendation_id in queued:
        return
    queued.add(recommendation_id)
    jobs.enqueue_after_commit(JOB, recommendation_id)


def on_answer_approved(response: Response) -> None:
    request_recompute(response.recommendation_id)


def _translations_saved(session, flush_context, instances) -> None:
    response_ids = {
        obj.response_id
        for obj in list(session.new) + list(session.dirty)
        if isinstance(obj, ResponseTranslation) and obj.response_id is not None
    }
    if not response_ids:
        return
    with session.no_autoflush:
        recommendation_ids = set(
            session.scalars(
                sa.select(Response.recommendation_id).where(Response.id.in_(response_ids))
            )
        )
    for recommendation_id in sorted(recommendation_ids):
        request_recompute(recommendation_id)


def _submissions_deleted(session, flush_context, instances) -> None:
    """Submitted submissions deleted through the session (a participant's deletion) take their
    answers out of the themes' kept counts before their rows go (`consult.themes.tallies`)."""
    gone: dict[int, list[int]] = {}
    for obj in session.deleted:
        if (
            isinstance(obj, Submission)
            and obj.id is not None
            and obj.state == SubmissionState.SUBMITTED
        ):
            gone.setdefault(obj.consultation_id, []).append(obj.id)
    with session.no_autoflush:
        for consultation_id, ids in sorted(gone.items()):
            tallies.uncount_submissions(consultation_id, ids)


def _forget_queued(session) -> None:
    session.info.pop(_QUEUED_KEY, None)


def init_themes(app: Flask) -> None:
    """At app start: approvals and saved translations schedule a recomputation."""
    from consult.moderation import operations

    jobs.init_jobs(app)
    if on_answer_approved not in operations.on_approved:
        operations.on_approved.append(on_answer_approved)
    if not sa.event.contains(db.session, "before_flush", _translations_saved):
        sa.event.listen(db.session, "before_flush", _translations_saved)
        sa.event.listen(db.session, "after_commit", _forget_queued)
        sa.event.listen(db.session, "after_rollback", _forget_queued)
    if not sa.event.contains(db.session, "before_flush", _submissions_deleted):
        sa.event.listen(db.session, "before_flush", _submissions_deleted)


# --- the job ----------------------------------------------------------------------------------


def recompute(recommendation_id: int, *, force: bool = False) -> bool:
    """The job: recompute one recommendation's themes; False when the cache was still valid."""
    if db.session.get(Recommendation, recommendation_id) is None:
        return False
    started = utcnow()
    inputs = load_inputs(recommendation_id)
    run = db.session.get(ThemeRun, recommendation_id)
    if run is None:
        run = ThemeRun(recommendation_id=recommendation_id)
        db.session.add(run)
    if not force and run.computed_at is not None and run.fingerprint == inputs.fingerprint:
        run.data_as_of = started
        db.session.flush()
        tallies.refresh_recommendation(recommendation_id)  # the answers considered as of now
        return False
    # NumPy, SciPy and scikit-learn: loaded by the job that computes themes, not at start.
    from consult.themes.extract import Answer, find_themes, match_to_themes, quotes_of

    answers = [Answer(a.response_id, a.text, a.language, a.stance) for a in inputs.answers]
    current = {a.response_id for a in inputs.answers}
    texts = {a.response_id: a.text for a in inputs.answers}
    approved_at = {a.response_id: a.approved_at for a in inputs.answers}
    result = find_themes(answers)

    existing = list(
        db.session.scalars(sa.select(Theme).where(Theme.recommendation_id == recommendation_id))
    )
    for theme in existing:
        if not theme.pinned:
            db.session.delete(theme)
    db.session.flush()
    pinned = [t for t in existing if t.pinned]
    members: dict[int, set[int]] = {}
    excluded: dict[int, set[int]] = {}
    for theme in pinned:
        members[theme.id] = {m.response_id for m in theme.members if not m.excluded} & current
        excluded[theme.id] = {m.response_id for m in theme.members if m.excluded}
    live = [t for t in pinned if not t.discarded]
    candidates = {
        a
        for a in current
        if not any(a in members[t.id] for t in live)
        and any(
            approved_at[a] is not None and t.pinned_at is not None and approved_at[a] > t.pinned_at
            for t in live
        )
    }
    matched = match_to_themes(
        answers,
        {t.id: members[t.id] for t in live},
        candidates,
        excluded={t.id: excluded[t.id] for t in live},
    )
    for theme in live:
        joined = {a for a, key in matched.joins.items() if key == theme.id}
        # Only answers approved after the theme was pinned may join it.
        joined = {a for a in joined if approved_at[a] and approved_at[a] > theme.pinned_at}
        _set_members(
            theme,
            members[theme.id] | joined,
            quotes_of(
                [m for m in matched.ordered.get(theme.id, ()) if m in members[theme.id] | joined],
                texts,
            ),
        )
    for theme in pinned:
        if theme.discarded:
            _set_members(theme, members[theme.id], ())
    position = max((t.position for t in live), default=-1) + 1
    for found in result.themes:
        found_members = set(found.members)
        if any(len(found_members & members[t.id]) >= COVERED * len(found_members) for t in pinned):
            continue
        theme = Theme(
            recommendation_id=recommendation_id,
            label=found.label[:MAX_LABEL],
            origin="computed",
            position=position,
        )
        position += 1
        rank = {response_id: i + 1 for i, response_id in enumerate(found.quotes)}
        theme.members = [ThemeMember(response_id=m, quote_rank=rank.get(m)) for m in found.members]
        db.session.add(theme)
    run.fingerprint = inputs.fingerprint
    run.data_as_of = started
    run.computed_at = utcnow()
    run.answers_considered = len(inputs.answers)
    run.untranslated = inputs.untranslated
    run.method = result.method[:64]
    db.session.flush()
    tallies.refresh_recommendation(recommendation_id)  # the filtered counts, same transaction
    return True


def _set_members(theme: Theme, member_ids: set[int], quotes: Iterable[int]) -> None:
    rank = {response_id: i + 1 for i, response_id in enumerate(quotes)}
    rows = {m.response_id: m for m in theme.members}
    for response_id, row in list(rows.items()):
        if row.excluded:
            continue
        if response_id not in member_ids:
            theme.members.remove(row)
        else:
            row.quote_rank = rank.get(response_id)
    for response_id in sorted(member_ids - set(rows)):
        theme.members.append(ThemeMember(response_id=response_id, quote_rank=rank.get(response_id)))
    for response_id in member_ids & set(rows):
        if rows[response_id].excluded:
            rows[response_id].excluded = False
            rows[response_id].quote_rank = rank.get(response_id)


def recompute_consultation(consultation_id: int, *, background: bool = False) -> int:
    ids = list(
        db.session.scalars(
            sa.select(Recommendation.id)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )
    for recommendation_id in ids:
        if background:
            jobs.enqueue(JOB, recommendation_id)
        else:
            recompute(recommendation_id, force=True)
    return len(ids)


# --- organisers' edits ------------------------------------------------------------------------


def _touch(theme: Theme, by: StaffUser) -> None:
    now = utcnow()
    if not theme.pinned:
        theme.pinned, theme.pinned_at = True, now
    theme.reviewed_by_id, theme.reviewed_at = by.id, now


def _audit(action: str, by: StaffUser, theme: Theme, **new: object) -> None:
    audit.record(
        action,
        by,
        object_type="theme",
        object_id=theme.id,
        new={"recommendation": theme.recommendation_id, **new},
    )


def _clean_label(label: str) -> str:
    cleaned = " ".join((label or "").split())[:MAX_LABEL]
    if not cleaned:
        raise ThemeEditError("empty label")
    return cleaned


def _member_ids(theme: Theme) -> set[int]:
    return {m.response_id for m in theme.members if not m.excluded}


def mark_reviewed(theme: Theme, by: StaffUser) -> None:
    _touch(theme, by)
    db.session.flush()
    _audit("theme.reviewed", by, theme)


def rename(theme: Theme, label: str, by: StaffUser) -> None:
    theme.label = _clean_label(label)
    _touch(theme, by)
    db.session.flush()
    _audit("theme.renamed", by, theme)  # the label may quote participants: not in the log


def merge(into: Theme, other: Theme, by: StaffUser) -> None:
    """`other`'s answers join `into`; `other` is removed."""
    if into.id == other.id or into.recommendation_id != other.recommendation_id:
        raise ThemeEditError("merge needs two themes of one recommendation")
    moved = _member_ids(other)
    _touch(into, by)
    rows = {m.response_id: m for m in into.members}
    for response_id in sorted(moved):
        row = rows.get(response_id)
        if row is None:
            into.members.append(ThemeMember(response_id=response_id))
        else:
            row.excluded = False
    other_id = other.id
    db.session.delete(other)
    db.session.flush()
    tallies.refresh_themes([into.id])
    _audit("theme.merged", by, into, merged=other_id, answers=len(moved))


def split(theme: Theme, response_ids: Iterable[int], label: str, by: StaffUser) -> Theme:
    """The chosen answers leave `theme` for a new organiser theme named `label`."""
    chosen = set(response_ids) & _member_ids(theme)
    if not chosen:
        raise ThemeEditError("choose at least one answer of the theme")
    new = Theme(
        recommendation_id=theme.recommendation_id,
        label=_clean_label(label),
        origin="organiser",
        position=theme.position,
    )
    _touch(theme, by)
    _touch(new, by)
    for row in theme.members:
        if row.response_id in chosen:
            row.excluded, row.quote_rank = True, None
    new.members = [ThemeMember(response_id=r) for r in sorted(chosen)]
    db.session.add(new)
    db.session.flush()
    _requote(theme)
    _requote(new)
    tallies.refresh_themes([theme.id, new.id])
    _audit("theme.split", by, theme, into=new.id, answers=len(chosen))
    return new


def discard(theme: Theme, by: StaffUser) -> None:
    theme.discarded = True
    _touch(theme, by)
    db.session.flush()
    _audit("theme.discarded", by, theme)


def move_answer(response_id: int, source: Theme, target: Theme, by: StaffUser) -> None:
    if source.recommendation_id != target.recommendation_id or source.id == target.id:
        raise ThemeEditError("move within one recommendation's themes")
    if response_id not in _member_ids(source):
        raise ThemeEditError("the answer is not in that theme")
    _touch(source, by)
    _touch(target, by)
    for row in source.members:
        if row.response_id == response_id:
            row.excluded, row.quote_rank = True, None
    rows = {m.response_id: m for m in target.members}
    if response_id in rows:
        rows[response_id].excluded = False
    else:
        target.members.append(ThemeMember(response_id=response_id))
    db.session.flush()
    _requote(source)
    _requote(target)
    tallies.refresh_themes([source.id, target.id])
    _audit("theme.answer_moved", by, target, answer=response_id, source=source.id)


def _requote(theme: Theme) -> None:
    """After an edit: keep the quotes still members, fill up to three from the other members."""
    members = [m for m in theme.members if not m.excluded]
    kept = sorted((m for m in members if m.quote_rank), key=lambda m: m.quote_rank)
    rest = sorted((m for m in members if not m.quote_rank), key=lambda m: m.response_id)
    for rank, row in enumerate((kept + rest)[:3], start=1):
        row.quote_rank = rank
    for row in (kept + rest)[3:]:
        row.quote_rank = None
    db.session.flush()
