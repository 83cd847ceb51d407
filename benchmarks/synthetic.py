"""Synthetic, multilingual submissions written straight into the database, for scale benchmarks.

`generate(...)` adds N submitted submissions of the demo consultation (8 answers each) with a
realistic mix: stances, about-you answers, groups, about a third of the answers written (in 14
languages), and moderation states (mostly approved, some pending, rejected or in safeguarding). It
uses bulk Core inserts with explicit ids (hundreds of thousands of rows a minute), not the domain
operations, which would spend minutes in language detection: these figures are about reading
pages, not about writing answers (benchmarks/submission_timing.py covers that). The dashboard's
kept counts (`consult.summaries.tallies`) of the inserted rows are added in the same transaction.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from consult.models import Recommendation, Response, Submission, SubmissionGroup
from consult.summaries.tallies import add_counts, group_key

PHRASES = {
    "en": "We need lawyers who speak our language, otherwise we sign papers we do not understand.",
    "ar": "نحتاج إلى محامين يتكلمون لغتنا، وإلا نوقع أوراقاً لا نفهمها.",
    "fa": "ما به وکیل رایگان نیاز داریم، چون پول نداریم و قانون را نمی‌فهمیم.",
    "ps": "موږ وړیا وکیل ته اړتیا لرو ځکه چې پیسې نه لرو.",
    "ur": "ہمیں مفت وکیل کی ضرورت ہے کیونکہ ہمارے پاس پیسے نہیں ہیں۔",
    "uk": "Нам потрібен безкоштовний адвокат, бо в нас немає грошей.",
    "ru": "Нам нужен бесплатный адвокат, потому что у нас нет денег.",
    "es": "Necesitamos abogados que hablen nuestro idioma para entender los papeles.",
    "fr": "Nous avons besoin d'avocats qui parlent notre langue pour comprendre les papiers.",
    "sw": "Tunahitaji wakili wa bure kwa sababu hatuna pesa.",
    "so": "Waxaan u baahanahay qareen bilaash ah sababtoo ah lacag ma haysanno.",
    "ti": "ጠበቓ ብነጻ ክወሃበና ኣለዎ፣ ምኽንያቱ ገንዘብ የብልናን።",
    "tr": "Ücretsiz avukat lazım çünkü paramız yok ve yasaları anlamıyoruz.",
    "ht": "Nou bezwen yon avoka gratis paske nou pa gen lajan.",
}
LANGUAGES = list(PHRASES)
STANCES = ["agree"] * 5 + ["partly"] * 2 + ["disagree"] * 2 + ["not_sure", "skipped"]
STAGES = [None, "origin", "transit", "destination", "destination", "prefer_not"]
AGE_BANDS = [None, "18_29", "30_44", "45_59", "60_plus", "under_18", "prefer_not"]
GROUPS = ["woman_or_girl", "under_18", "disability", "lgbtqi", "older_person"]
# Moderation state of a written answer: a consultation that is being worked through.
STATES = ["approved"] * 14 + ["pending"] * 3 + ["rejected"] * 2 + ["safeguarding"]
WRITTEN_SHARE = 0.35
BATCH = 5000


def _next_id(connection: Connection, table: sa.Table) -> int:
    return (connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _rows(
    consultation_id: int,
    recommendation_ids: list[int],
    count: int,
    first_submission: int,
    first_response: int,
    seed: int,
) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    response_id = first_response
    for offset in range(count):
        submission_id = first_submission + offset
        language = rng.choice(LANGUAGES)
        day = start + timedelta(days=offset * 300 // max(count, 1))
        submission = {
            "id": submission_id,
            "consultation_id": consultation_id,
            # Unique like a real receipt's hash; nobody holds these codes.
            "receipt_hash": hashlib.sha256(
                f"synthetic-{seed}-{submission_id}".encode()
            ).hexdigest(),
            "state": "submitted",
            "language": language,
            "channel": "web",
            "consent_version": 1,
            "created_on": day,
            "submitted_on": day,
            "stage": rng.choice(STAGES),
            "age_band": rng.choice(AGE_BANDS),
            "groups_declined": False,
        }
        groups = [
            {"submission_id": submission_id, "group": group}
            for group in GROUPS
            if rng.random() < 0.15
        ]
        responses = []
        for recommendation_id in recommendation_ids:
            written = rng.random() < WRITTEN_SHARE
            text_language = language if rng.random() < 0.9 else rng.choice(LANGUAGES)
            state = rng.choice(STATES) if written else None
            text = f"{PHRASES[text_language]} ({submission_id})" if written else None
            responses.append(
                {
                    "id": response_id,
                    "submission_id": submission_id,
                    "recommendation_id": recommendation_id,
                    "stance": rng.choice(STANCES),
                    "text": text,
                    "text_language": text_language if written else None,
                    "detected_language": text_language if written else None,
                    "detected_confidence": 0.95 if written else None,
                    "needs_language_review": False,
                    "moderation_state": state,
                    "public_text": text if state == "approved" else None,
                    "moderated_at": datetime(2026, 6, 1)
                    if state not in (None, "pending")
                    else None,
                    "moderation_reason": "spam" if state == "rejected" else None,
                    "personal_data_kinds": "phone" if written and rng.random() < 0.05 else None,
                }
            )
            response_id += 1
        yield submission, groups, responses


def generate(connection: Connection, consultation_id: int, count: int, seed: int = 1) -> int:
    """Add `count` submitted submissions to the consultation; returns the number of answers."""
    recommendation_ids = list(
        connection.scalars(
            sa.select(Recommendation.id)
            .where(Recommendation.consultation_id == consultation_id)
            .order_by(Recommendation.position)
        )
    )
    submissions_table = Submission.__table__
    responses_table = Response.__table__
    groups_table = SubmissionGroup.__table__
    first_submission = _next_id(connection, submissions_table)
    first_response = _next_id(connection, responses_table)
    batch_s: list[dict] = []
    batch_g: list[dict] = []
    batch_r: list[dict] = []
    answers = 0

    def flush() -> None:
        if batch_s:
            connection.execute(submissions_table.insert(), batch_s)
        if batch_g:
            connection.execute(groups_table.insert(), batch_g)
        if batch_r:
            connection.execute(responses_table.insert(), batch_r)
        batch_s.clear()
        batch_g.clear()
        batch_r.clear()

    # The dashboard's kept counts of what is inserted, added in the same transaction.
    tally: Counter[tuple] = Counter()
    days: Counter[tuple] = Counter()
    for submission, groups, responses in _rows(
        consultation_id, recommendation_ids, count, first_submission, first_response, seed
    ):
        group_set = group_key(g["group"] for g in groups)
        stage = submission["stage"] or ""
        language = submission["language"]
        days[(submission["submitted_on"], language, stage, group_set)] += 1
        for response in responses:
            tally[
                (response["recommendation_id"], language, stage, group_set, response["stance"])
            ] += 1
        batch_s.append(submission)
        batch_g.extend(groups)
        batch_r.extend(responses)
        answers += len(responses)
        if len(batch_r) >= BATCH:
            flush()
    flush()
    add_counts(connection, consultation_id, tally, days)
    if connection.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; the app's own inserts must not collide.
        for table in (submissions_table, responses_table):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
    return answers
