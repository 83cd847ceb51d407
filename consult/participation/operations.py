"""The participant journey's domain operations: drafts, answers, submission, receipts, deletion.

Functions here take plain arguments, may flush, and never commit: the view that calls them commits
once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from consult.consultations.content import LocalisedRecommendation, localise_from
from consult.core.extensions import db
from consult.core.timeutil import today, utcnow
from consult.models import (
    Channel,
    Consultation,
    ConsultationText,
    ModerationState,
    Recommendation,
    RecommendationText,
    Response,
    Stance,
    Submission,
    SubmissionGroup,
    SubmissionState,
    TranslationStatus,
)
from consult.participation.receipts import (
    normalise_receipt_code,
    receipt_code_for_draft,
    receipt_hash,
)
from consult.text.clean import clean_free_text
from consult.vocab import AgeBand, Group, JourneyStage


class ConsultationNotFound(LookupError):
    pass


class ConsultationClosed(Exception):
    def __init__(self, consultation: Consultation) -> None:
        super().__init__(consultation.slug)
        self.consultation = consultation


class EmptySubmission(ValueError):
    """Nothing to submit: no stance and no text anywhere."""


class AlreadySubmitted(Exception):
    """The submission is no longer a draft that can be sent (it was sent, or is gone)."""


class ConsentOutdated(Exception):
    """The consent text changed materially since the draft was begun: agree again first."""


def get_consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    return _visible(consultation, slug)


def get_open_consultation(slug: str, on: date | None = None) -> Consultation:
    return _open(get_consultation(slug), on)


def _visible(consultation: Consultation | None, slug: str) -> Consultation:
    if consultation is None or consultation.status == "draft":
        raise ConsultationNotFound(slug)
    return consultation


def _open(consultation: Consultation, on: date | None) -> Consultation:
    if not consultation.is_open_on(on or today()):
        from consult.authoring.lifecycle import close_if_expired
        from consult.core.database import end_read_only

        # Past its closing date: the status changes now (once, recorded), so staff pages see
        # it closed too. The view that shows the "closed" page commits it. A page that began
        # reading without a transaction (PostgreSQL) gets one first: the change and its audit
        # record are written together.
        end_read_only()
        close_if_expired(consultation, on)
        raise ConsultationClosed(consultation)
    return consultation


# --- what a participant page reads: one statement each (docs/decisions.md, "Participant pages
# near the ceiling"). The statements are built once and take their values as parameters.


@dataclass(frozen=True)
class JourneyPage:
    """An open consultation, the participant's draft in it (None: no draft, or not theirs any
    more) and how many recommendations it has."""

    consultation: Consultation
    draft: Submission | None
    total: int


@dataclass(frozen=True)
class QuestionPage(JourneyPage):
    """A journey page with the recommendation at one position (None: there is none there), in
    the reader's language or the source language, and the draft's answer to it."""

    item: LocalisedRecommendation | None
    answer: Response | None
    # The consultation's own wording of the two questions in the reader's language (None: the
    # interface's translated default).
    question: str | None = None
    question_why: str | None = None


def _draft_of_participant() -> sa.ColumnElement[bool]:
    """The draft with the participant's token (parameter `token`; None matches nothing) in the
    consultation, not expired at `now`."""
    return sa.and_(
        Submission.consultation_id == Consultation.id,
        Submission.draft_token == sa.bindparam("token"),
        Submission.state == SubmissionState.DRAFT,
        Submission.draft_expires_at > sa.bindparam("now"),
    )


def _recommendation_count() -> sa.ScalarSelect[int]:
    counted = aliased(Recommendation)
    return (
        sa.select(sa.func.count(counted.id))
        .where(counted.consultation_id == Consultation.id, counted.visible)
        .correlate(Consultation)
        .scalar_subquery()
    )


@cache
def _journey_statement() -> sa.Select:
    return (
        sa.select(Consultation, Submission, _recommendation_count())
        .outerjoin(Submission, _draft_of_participant())
        .where(Consultation.slug == sa.bindparam("slug"))
    )


@cache
def _question_statement() -> sa.Select:
    reader_text = aliased(RecommendationText)
    source_text = aliased(RecommendationText)
    wording = aliased(ConsultationText)
    return (
        sa.select(
            Consultation,
            Submission,
            _recommendation_count(),
            Recommendation,
            reader_text,
            source_text,
            Response,
            wording.question,
            wording.question_why,
        )
        .outerjoin(Submission, _draft_of_participant())
        .outerjoin(
            # The question's wording in the reader's language, when the organisers wrote one
            # and it is not an unchecked machine draft.
            wording,
            sa.and_(
                wording.consultation_id == Consultation.id,
                wording.language == sa.bindparam("language"),
                sa.or_(
                    wording.status == TranslationStatus.REVIEWED,
                    sa.not_(wording.made_by.startswith("machine:")),
                ),
            ),
        )
        .outerjoin(
            Recommendation,
            sa.and_(
                Recommendation.consultation_id == Consultation.id,
                Recommendation.position == sa.bindparam("position"),
            ),
        )
        .outerjoin(
            reader_text,
            sa.and_(
                reader_text.recommendation_id == Recommendation.id,
                reader_text.language == sa.bindparam("language"),
            ),
        )
        .outerjoin(
            source_text,
            sa.and_(
                source_text.recommendation_id == Recommendation.id,
                source_text.language == Consultation.source_language,
            ),
        )
        .outerjoin(
            Response,
            sa.and_(
                Response.submission_id == Submission.id,
                Response.recommendation_id == Recommendation.id,
            ),
        )
        .where(Consultation.slug == sa.bindparam("slug"))
    )


def journey_page(slug: str, draft_token: str | None, on: date | None = None) -> JourneyPage:
    """The open consultation `slug`, the draft with this token and the count, in one statement.

    Raises ConsultationNotFound or ConsultationClosed, as get_open_consultation does.
    """
    row = db.session.execute(
        _journey_statement(), {"slug": slug, "token": draft_token, "now": utcnow()}
    ).first()
    consultation, draft, total = row if row is not None else (None, None, 0)
    return JourneyPage(_open(_visible(consultation, slug), on), draft, total)


def question_page(
    slug: str, position: int, draft_token: str | None, language: str, on: date | None = None
) -> QuestionPage:
    """Everything a question page shows, in one statement: the open consultation, the draft with
    this token, the count, the recommendation at `position` with its text in `language` (else the
    source language) and the draft's answer to it. Not the other recommendations, nor other
    languages' texts.

    Raises ConsultationNotFound or ConsultationClosed, as get_open_consultation does.
    """
    values = {
        "slug": slug,
        "token": draft_token,
        "now": utcnow(),
        "position": position,
        "language": language,
    }
    row = db.session.execute(_question_statement(), values).first()
    if row is None:
        raise ConsultationNotFound(slug)
    consultation, draft, total, recommendation, reader_text, source_text, answer, *wording = row
    consultation = _open(_visible(consultation, slug), on)
    item = None
    if recommendation is not None and recommendation.visible:
        texts = [text for text in (reader_text, source_text) if text is not None]
        item = localise_from(recommendation, texts, language, consultation.source_language)
    return QuestionPage(consultation, draft, total, item, answer, *wording)


def listed_consultations(on: date | None = None) -> list[Consultation]:
    """Consultations a participant can see on the home page: open ones, then published outcomes."""
    rows = db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.status.in_(("open", "published")))
        .order_by(Consultation.created_at.desc())
    ).all()
    day = on or today()
    return [c for c in rows if c.is_open_on(day)] + [c for c in rows if c.status == "published"]


def _draft_expiry(now: datetime, lifetime: timedelta) -> datetime:
    # Rounded up to the hour: the purge only needs the hour, and a minute-precise instant is not
    # kept.
    expiry = now + lifetime
    return expiry.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def start_draft(
    consultation: Consultation,
    language: str,
    lifetime: timedelta,
    channel: Channel = Channel.WEB,
) -> Submission:
    """A new draft, kept for `lifetime` (CONSULT_DRAFT_LIFETIME_HOURS) unless it is changed."""
    submission = Submission(
        consultation=consultation,
        draft_token=secrets.token_urlsafe(32),
        draft_expires_at=_draft_expiry(utcnow(), lifetime),
        state=SubmissionState.DRAFT,
        language=language,
        channel=channel,
        consent_version=consultation.consent_version,
        created_on=today(),
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def find_draft(consultation: Consultation, token: str | None) -> Submission | None:
    if not token:
        return None
    return db.session.scalar(
        sa.select(Submission).where(
            Submission.draft_token == token,
            Submission.consultation_id == consultation.id,
            Submission.state == SubmissionState.DRAFT,
            Submission.draft_expires_at > utcnow(),
        )
    )


def response_for(submission: Submission, recommendation: Recommendation) -> Response | None:
    for response in submission.responses:
        if response.recommendation_id == recommendation.id:
            return response
    return None


def save_answer(
    submission: Submission,
    recommendation: Recommendation,
    stance: str | None,
    text: str | None,
    language: str,
) -> Response:
    """Store (or replace) the draft answer to one recommendation; no stance is stored as skipped.

    Raises UnknownValue (a ValueError) for a stance that is not a Stance.

    A first answer is one INSERT with its values; a changed one, one UPDATE of the row the page
    read (the question page's statement loads the draft's answer to it): no read of the draft's
    other answers.
    """
    chosen = Stance.parse(stance) if stance else Stance.SKIPPED
    cleaned = clean_free_text(text)
    _set_if_changed(submission, "language", language)
    response = _known_answer(submission, recommendation)
    if response is None:
        response = _insert_answer(submission, recommendation, chosen, cleaned, language)
        if response is not None:
            db.session.flush()
            return response
        response = _stored_answer(submission, recommendation)  # a double click stored it first
    _set_if_changed(response, "stance", chosen)
    # The text version the participant read when answering (a change of meaning makes another).
    _set_if_changed(response, "recommendation_version", recommendation.text_version)
    if cleaned != (response.text or ""):
        response.text = cleaned or None
        response.text_language = language if cleaned else None
        annotate_language(response)
    db.session.flush()
    return response


def _known_answer(submission: Submission, recommendation: Recommendation) -> Response | None:
    """The draft's answer to this recommendation if this session has read it, without a query.

    From the draft's loaded answers, else from the objects the session holds (the question page's
    statement reads the answer it shows). None when the session has not seen one: there may still
    be a row (another request's), which the INSERT ... ON CONFLICT below finds.
    """
    if "responses" in sa.inspect(submission).dict:
        return response_for(submission, recommendation)
    for held in list(db.session.identity_map.values()):
        if isinstance(held, Response):
            loaded = sa.inspect(held).dict  # never a load: an expired object holds no values
            if (
                loaded.get("submission_id") == submission.id
                and loaded.get("recommendation_id") == recommendation.id
            ):
                return held
    return None


# INSERT ... ON CONFLICT, in each database's own words.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_answer(
    submission: Submission,
    recommendation: Recommendation,
    stance: Stance,
    cleaned: str,
    language: str,
) -> Response | None:
    """A new answer row with its values, or None when the row already exists.

    The row is inserted with ON CONFLICT DO NOTHING: when two requests save the first answer to
    the same recommendation at once (a double click), the second one waits for the first, inserts
    nothing and then updates the same row, instead of failing on the (submission, recommendation)
    unique constraint.
    """
    values = {
        "submission_id": submission.id,
        "recommendation_id": recommendation.id,
        "stance": stance,
        "recommendation_version": recommendation.text_version,
        "text": cleaned or None,
        "text_language": language if cleaned else None,
        **_language_fields(cleaned or None, language if cleaned else None),
    }
    insert = _INSERT[db.session.get_bind().dialect.name]
    response = db.session.scalars(
        insert(Response)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["submission_id", "recommendation_id"])
        .returning(Response)
    ).first()
    db.session.expire(submission, ["responses"])
    return response


def _stored_answer(submission: Submission, recommendation: Recommendation) -> Response:
    response = db.session.scalars(
        sa.select(Response).where(
            Response.submission_id == submission.id,
            Response.recommendation_id == recommendation.id,
        )
    ).first()
    if response is None:  # the insert found the row there: never expected
        raise LookupError("the answer row vanished between its insert and its read")
    return response


def annotate_language(response: Response) -> None:
    """Record which language the text seems to be in, and whether a translator should check it."""
    for name, value in _language_fields(response.text, response.text_language).items():
        setattr(response, name, value)


def _language_fields(text: str | None, text_language: str | None) -> dict[str, Any]:
    from consult.text.langdetect import detect_language, needs_translator_attention

    if not text:
        return {
            "detected_language": None,
            "detected_confidence": None,
            "needs_language_review": False,
        }
    detection = detect_language(text)
    return {
        "detected_language": detection.language,
        "detected_confidence": round(detection.confidence, 3),
        "needs_language_review": needs_translator_attention(text_language or "", detection),
    }


def save_profile(
    submission: Submission,
    stage: str | None,
    age_band: str | None,
    groups: Iterable[str],
    groups_declined: bool,
) -> None:
    """Store the "about you" answers; None (or nothing chosen) means not answered.

    Raises UnknownValue (a ValueError) for a stage, age band or group outside the vocabulary,
    before changing anything.
    """
    new_stage = JourneyStage.parse(stage) if stage else None
    new_age_band = AgeBand.parse(age_band) if age_band else None
    chosen = {Group.parse(g) for g in groups}
    if groups_declined:
        chosen = set()
    submission.stage = new_stage
    submission.age_band = new_age_band
    submission.groups_declined = groups_declined
    submission.groups = [SubmissionGroup(group=g) for g in sorted(chosen)]
    db.session.flush()


def renew_draft(submission: Submission, lifetime: timedelta) -> None:
    """Keep a draft for `lifetime` from now: the views call this after each save_answer or
    save_profile, so a draft lives that long after its last change."""
    _set_if_changed(submission, "draft_expires_at", _draft_expiry(utcnow(), lifetime))


def _set_if_changed(row: Any, name: str, value: Any) -> None:
    """Set an attribute only to change it. Setting a column, even to its own value, marks the row
    changed; the session then runs a whole flush (finding nothing to write) before the next
    statement and at commit. An answer sent within the hour of the last one, in the same
    language, leaves the draft's row untouched and the session clean."""
    if getattr(row, name) != value:
        setattr(row, name, value)


def has_content(submission: Submission) -> bool:
    return any(r.stance != Stance.SKIPPED or r.text for r in submission.responses)


def _candidate_codes(secret_key: str, draft_token: str) -> Iterable[str]:
    # The first is the code; the next ones only matter when another submission already has it
    # (about one draft in 10^11 with a million submissions).
    return (receipt_code_for_draft(secret_key, draft_token, attempt) for attempt in count())


def _code_held_by(code: str) -> int | None:
    return db.session.scalar(
        sa.select(Submission.id).where(Submission.receipt_hash == receipt_hash(code))
    )


def submit(submission: Submission, secret_key: str) -> str:
    """Turn a draft into a submission; returns the receipt code, which is shown once and not
    stored.

    The code comes from the draft's token and `secret_key` (the app's secret key), and the draft
    becomes a submission in one conditional UPDATE (`... WHERE state = 'draft'`). When two
    requests send the same draft at once (a double click), one of them sends it and both return
    the same code, which works.

    Raises EmptySubmission when there is nothing to send, AlreadySubmitted when the submission is
    no longer a draft.
    """
    token = submission.draft_token
    if submission.state != SubmissionState.DRAFT or not token:
        raise AlreadySubmitted
    if not has_content(submission):
        raise EmptySubmission
    if submission.consent_version < submission.consultation.consent_version:
        raise ConsentOutdated
    code = next(
        c for c in _candidate_codes(secret_key, token) if _code_held_by(c) in (None, submission.id)
    )
    sent = db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.state == SubmissionState.DRAFT)
        .values(
            state=SubmissionState.SUBMITTED,
            submitted_on=today(),
            receipt_hash=receipt_hash(code),
            draft_token=None,
            draft_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not sent:
        # Another request got there first: the same draft gives the same code.
        if _code_held_by(code) != submission.id:
            raise AlreadySubmitted
        db.session.expire(submission)
        return code
    db.session.refresh(submission)
    from consult.text.redaction import personal_data_kinds

    for response in submission.responses:
        response.moderation_state = ModerationState.PENDING if response.text else None
        response.personal_data_kinds = personal_data_kinds(response.text)
    db.session.flush()
    from consult.summaries.tallies import count_submission

    count_submission(submission)  # the dashboard's kept counts, in this transaction
    return code


def agree_again(submission: Submission) -> None:
    """The participant agreed to the consultation's current consent text."""
    submission.consent_version = submission.consultation.consent_version
    db.session.flush()


def receipt_of_sent_draft(
    consultation: Consultation, draft_token: str | None, secret_key: str
) -> str | None:
    """The receipt code of the draft with this token if it has been sent, else None.

    For the second request of a double click that arrives once the first one has sent the draft:
    it still carries the draft's token (its cookies left before the first answer came back), so it
    can show the same code instead of a page that has lost it.
    """
    if not draft_token:
        return None
    for code in _candidate_codes(secret_key, draft_token):
        holder = _code_held_by(code)
        if holder is None:
            return None
        sent = db.session.get(Submission, holder)
        if sent is not None and sent.consultation_id == consultation.id:
            return code
    return None


def discard_drafts(tokens: Iterable[str]) -> int:
    """Delete the drafts with these tokens, and their answers; returns how many.

    For "start again as a new person" on a shared phone: the browser forgets the tokens, the only
    way to these drafts, so no one could reach them again; they go now rather than at the purge.
    """
    wanted = list(tokens)
    if not wanted:
        return 0
    drafts = db.session.scalars(
        sa.select(Submission).where(
            Submission.draft_token.in_(wanted), Submission.state == SubmissionState.DRAFT
        )
    ).all()
    for draft in drafts:
        db.session.delete(draft)
    db.session.flush()
    return len(drafts)


def find_by_receipt(raw_code: str) -> Submission | None:
    code = normalise_receipt_code(raw_code)
    if code is None:
        return None
    return db.session.scalar(
        sa.select(Submission).where(
            Submission.receipt_hash == receipt_hash(code),
            Submission.state == SubmissionState.SUBMITTED,
        )
    )


def delete_submission(submission: Submission) -> None:
    """Delete a submission and all its answers: the rows are gone, not flagged."""
    from consult import audit

    # Recorded without an actor and without anything that identifies the participant.
    audit.record(
        "submission.deleted_by_participant",
        object_type="submission",
        object_id=submission.id,
        old={"answers": len(submission.responses)},
    )
    from consult.summaries.tallies import uncount_submission

    uncount_submission(submission)  # the dashboard's kept counts, in this transaction
    db.session.delete(submission)
    db.session.flush()


def purge_expired_drafts(now: datetime | None = None, *, by: str = "system") -> int:
    """Delete drafts whose lifetime has passed (see renew_draft); returns how many.

    Audited without an actor, under `by` (the command or job that ran it), with the count only.
    """
    from consult import audit

    moment = now or utcnow()
    ids = db.session.scalars(
        sa.select(Submission.id).where(
            Submission.state == SubmissionState.DRAFT, Submission.draft_expires_at <= moment
        )
    ).all()
    if ids:
        db.session.execute(sa.delete(Response).where(Response.submission_id.in_(ids)))
        db.session.execute(sa.delete(SubmissionGroup).where(SubmissionGroup.submission_id.in_(ids)))
        db.session.execute(sa.delete(Submission).where(Submission.id.in_(ids)))
    audit.record("retention.drafts_purged", actor_label=by, new={"count": len(ids)})
    return len(ids)
