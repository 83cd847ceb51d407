"""What the outcome page and the public results page read.

The results page reads, whatever the number of answers: the consultation, its recommendations with
their texts (one statement, `localise_recommendations`), the outcomes in the reader's and the source
language (one), and the stance counts grouped in the database (one, on the index on
(recommendation_id, stance)).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel.numbers import format_percent
from flask_babel import get_locale

from consult.consultations.content import (
    LocalisedRecommendation,
    awaits_review,
    localise_recommendations,
    pick_text,
)
from consult.core.extensions import db
from consult.i18n.formatting import local_number, native_digits
from consult.models import (
    Consultation,
    Recommendation,
    RecommendationOutcome,
    Response,
    Submission,
    SubmissionState,
)
from consult.outcomes.operations import visible_recommendations
from consult.vocab import ConsultationStatus, Stance

# The stances that count as answered (the dashboard's denominator, consult.summaries.stats).
ANSWERED = (Stance.AGREE, Stance.PARTLY, Stance.DISAGREE, Stance.NOT_SURE)


class NotPublished(LookupError):
    """No consultation with that slug, or not published yet: the results page is a 404."""


def source_title(recommendation: Recommendation, source: str) -> str:
    """A recommendation's title in the consultation's source language ("" when it has none)."""
    return next((t.title for t in recommendation.texts if t.language == source), "")


def published_consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None or consultation.status != ConsultationStatus.PUBLISHED:
        raise NotPublished(slug)
    return consultation


def consultation_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def _drafts_shown(consultation: Consultation) -> Collection[str]:
    return tuple(getattr(consultation, "drafts_shown_languages", None) or ())


@dataclass(frozen=True)
class LocalisedOutcome:
    row: RecommendationOutcome
    is_fallback: bool

    @property
    def language(self) -> str:
        return self.row.language

    @property
    def is_machine_draft(self) -> bool:
        return not self.is_fallback and awaits_review(self.row)


def pick_outcome(
    rows: Sequence[RecommendationOutcome], consultation: Consultation, language: str
) -> LocalisedOutcome | None:
    """The outcome in the reader's language, else the source language's (marked): the same rules
    as every other text participants read."""
    if not rows:
        return None
    row, fallback = pick_text(
        rows, language, consultation.source_language, _drafts_shown(consultation)
    )
    return LocalisedOutcome(row, fallback)


def outcomes_in(
    consultation: Consultation, languages: Collection[str]
) -> dict[int, list[RecommendationOutcome]]:
    """The consultation's outcome rows in `languages`, by recommendation id."""
    rows = db.session.scalars(
        sa.select(RecommendationOutcome).where(
            RecommendationOutcome.recommendation_id.in_(
                [r.id for r in consultation.recommendations]
            ),
            RecommendationOutcome.language.in_(sorted(languages)),
        )
    )
    found: dict[int, list[RecommendationOutcome]] = {}
    for row in rows:
        found.setdefault(row.recommendation_id, []).append(row)
    return found


@dataclass(frozen=True)
class LocalisedOverallOutcome:
    """The consultation-wide outcome (`ConsultationText.outcome`) in the reader's language, else
    the source language's, marked."""

    text: str
    language: str
    is_fallback: bool
    is_machine_draft: bool


def overall_outcome(consultation: Consultation, language: str) -> LocalisedOverallOutcome | None:
    rows = [row for row in consultation.texts if (row.outcome or "").strip()]
    if not rows:
        return None
    row, fallback = pick_text(
        rows, language, consultation.source_language, _drafts_shown(consultation)
    )
    return LocalisedOverallOutcome(
        row.outcome or "", row.language, fallback, not fallback and awaits_review(row)
    )


# --- stance shares, suppressed --------------------------------------------------------------------


def stance_counts(consultation: Consultation) -> dict[int, dict[str, int]]:
    """Submitted answers per recommendation and stance (the dashboard's population)."""
    statement = (
        sa.select(Response.recommendation_id, Response.stance, sa.func.count())
        .join(Submission, Submission.id == Response.submission_id)
        .where(
            Submission.consultation_id == consultation.id,
            Submission.state == SubmissionState.SUBMITTED,
        )
        .group_by(Response.recommendation_id, Response.stance)
    )
    counts: dict[int, dict[str, int]] = {}
    for recommendation_id, stance, count in db.session.execute(statement):
        counts.setdefault(recommendation_id, {})[stance] = count
    return counts


@dataclass(frozen=True)
class StanceShare:
    stance: str
    display: str  # the share ("45 %"), "<5", or a dash for a cell hidden to protect another
    shown: bool
    share: float | None


@dataclass(frozen=True)
class StanceSummary:
    answered: str  # how many chose a stance, or "<5"
    answered_shown: bool
    shares: list[StanceShare]


def local_percent(share: float) -> str:
    locale = get_locale()
    return native_digits(format_percent(share, locale=locale), locale)


def stance_summaries(
    consultation: Consultation, counts: dict[int, dict[str, int]]
) -> dict[int, StanceSummary]:
    """Per recommendation, the share of each stance among those who chose one, with small-group
    and complementary suppression (`consult.summaries.suppression`) over all of them at once."""
    from consult.summaries.suppression import Ledger, protect

    ledger = Ledger()
    recommendation_ids = [r.id for r in visible_recommendations(consultation)]
    for recommendation_id in recommendation_ids:
        by_stance = counts.get(recommendation_id, {})
        parts = [
            ledger.add((recommendation_id, stance.value), by_stance.get(stance, 0))
            for stance in ANSWERED
        ]
        total = sum(by_stance.get(stance, 0) for stance in ANSWERED)
        ledger.add((recommendation_id, "answered"), total)
        ledger.relate((recommendation_id, "answered"), parts)
    protected = protect(ledger, consultation.small_group_threshold)
    return {rid: _summary(rid, protected) for rid in recommendation_ids}


def _summary(recommendation_id: int, protected: Any) -> StanceSummary:
    """One recommendation's shares from the protected counts (a `suppression.Protected`)."""
    total_key = (recommendation_id, "answered")
    total = protected.value(total_key)
    shares = []
    for stance in ANSWERED:
        key = (recommendation_id, stance.value)
        count = protected.value(key)
        if count is not None and total:
            share = count / total
            shares.append(StanceShare(stance.value, local_percent(share), True, share))
        else:
            shares.append(
                StanceShare(stance.value, protected.display(key, local_number), False, None)
            )
    return StanceSummary(protected.display(total_key, local_number), bool(total), shares)


# --- the results page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultItem:
    item: LocalisedRecommendation
    outcome: LocalisedOutcome | None
    stances: StanceSummary


def results(consultation: Consultation, language: str) -> list[ResultItem]:
    items = [
        item
        for item in localise_recommendations(consultation, language)
        if item.recommendation.position > 0
    ]
    outcomes = outcomes_in(consultation, {language, consultation.source_language})
    summaries = stance_summaries(consultation, stance_counts(consultation))
    return [
        ResultItem(
            item,
            pick_outcome(outcomes.get(item.recommendation.id, []), consultation, language),
            summaries[item.recommendation.id],
        )
        for item in items
    ]
