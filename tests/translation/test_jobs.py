"""The job runner (consult/jobs.py): without Redis, jobs run after the response has been sent (and
at once from a command); with Redis, an approval queues an RQ job that a worker runs in an app
context, and a failing one is retried later. The RQ tests use the real Redis server
(CONSULT_TEST_REDIS_URL); in CI a missing Redis fails them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue
from rq.job import Job

from consult import jobs
from consult.core.extensions import db
from consult.models import Consultation, Response
from consult.models.moderation import ResponseTranslation
from consult.moderation.operations import Decision, decide
from consult.translation.machine import JOB
from tests.support.factories import staff_member, submitted_answers
from tests.support.staff import log_in
from tests.translation.fake_libretranslate import FakeLibreTranslate

PLAIN = "Free lawyers would save families years of waiting for their papers."


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        yield server


def translating_app(app_factory, server: FakeLibreTranslate, **overrides: object) -> Flask:
    app = app_factory(
        CONSULT_TRANSLATION_PROVIDER="libretranslate",
        CONSULT_LIBRETRANSLATE_URL=server.url,
        CONSULT_TRANSLATION_TIMEOUT=2,
        **overrides,
    )
    staff_member(app, "mod@example.org", "moderator")
    with app.app_context():
        for consultation in db.session.scalars(sa.select(Consultation)):
            consultation.working_languages = ["en", "fr"]
        db.session.commit()
    return app


def stored(app: Flask, response_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (row.language, row.provenance)
            for row in db.session.scalars(
                sa.select(ResponseTranslation).where(ResponseTranslation.response_id == response_id)
            )
        ]


def approve(app: Flask, response_id: int) -> None:
    with app.app_context():
        moderator = db.session.scalar(sa.select(jobs_staff()))
        decide(db.session.get(Response, response_id), moderator, Decision.APPROVE)
        db.session.commit()


def jobs_staff():  # the moderator made by translating_app
    from consult.models import StaffUser

    return StaffUser


# --- in-process ---------------------------------------------------------------------------------


def test_in_a_request_the_job_runs_after_the_response(
    demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = translating_app(app_factory, libretranslate)
    [rid] = submitted_answers(app, [PLAIN])
    libretranslate.mode = "error"
    approve(app, rid)  # its own job (run at once, outside a request) fails
    libretranslate.mode, libretranslate.requests = "ok", []
    with app.test_request_context("/"):
        assert jobs.enqueue(JOB, rid) == "after-response"
        response = app.process_response(app.response_class("done"))
        assert libretranslate.requests == [], "nothing runs before the response is sent"
    assert stored(app, rid) == []
    response.close()  # the server has sent the response
    assert stored(app, rid) == [("fr", "machine:libretranslate")]


def test_approving_on_the_moderation_page_drafts_the_translation(
    demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = translating_app(app_factory, libretranslate)
    [rid] = submitted_answers(app, [PLAIN])
    moderator = log_in(app, "mod@example.org")
    moderator.get(f"/staff/moderate/{rid}")
    page = moderator.submit(button=("action", "approve"))
    assert "Approved." in page.text
    assert stored(app, rid) == [("fr", "machine:libretranslate")]
    assert [body["q"] for body in libretranslate.translate_bodies] == [PLAIN]


def test_outside_a_request_the_job_runs_at_once_and_reports_failure(
    demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = translating_app(app_factory, libretranslate)
    [rid] = submitted_answers(app, [PLAIN])
    with app.app_context():
        decide(db.session.get(Response, rid), db.session.scalar(sa.select(jobs_staff())),
               Decision.APPROVE)  # fmt: skip
        db.session.rollback()  # the approval is undone: its job is forgotten
    assert libretranslate.requests == []
    approve(app, rid)
    assert stored(app, rid) == [("fr", "machine:libretranslate")]
    libretranslate.mode = "error"
    with app.app_context():
        assert jobs.enqueue(JOB, rid) == "failed"
    assert stored(app, rid) == [("fr", "machine:libretranslate")], "the earlier draft is kept"


def test_only_consult_functions_are_jobs(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError):
        jobs.enqueue("os.system", "true")


def test_without_redis_jobs_are_never_delayed(app: Flask) -> None:
    assert jobs.jobs_delayed(app) is False


# --- RQ on the real Redis -----------------------------------------------------------------------


@pytest.fixture
def rq_app(
    demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate, redis_url: str
) -> Iterator[Flask]:
    """The app with Redis configured and a queue of its own, emptied and removed afterwards."""
    name = f"consult-test-{uuid.uuid4().hex}"
    app = translating_app(app_factory, libretranslate, CONSULT_REDIS_URL=redis_url, JOBS_QUEUE=name)
    client = redis.Redis.from_url(redis_url)
    job_ids: list[str] = []
    app.extensions["test_job_ids"] = job_ids
    try:
        yield app
    finally:
        for job_id in job_ids:
            for key in client.scan_iter(f"rq:*{job_id}*"):
                client.delete(key)
        for key in client.scan_iter(f"rq:*{name}*"):
            client.delete(key)
        client.srem("rq:queues", f"rq:queue:{name}")
        for member in client.smembers("rq:workers"):
            if name in member.decode():
                client.srem("rq:workers", member)
        client.close()
        jobs._redis(app).close()


def run_burst_worker(app: Flask) -> None:
    from rq import SimpleWorker

    with app.app_context():
        queue = jobs.queue_for(app)
        app.extensions["test_job_ids"].extend(queue.job_ids)
        name = f"{queue.name}-{uuid.uuid4().hex[:8]}"  # removed with the queue's keys
        SimpleWorker([queue], connection=queue.connection, name=name).work(burst=True)


def _translation_jobs(queue: Queue) -> list[Job]:
    return [job for job in queue.jobs if job.args and job.args[0] == JOB]


def test_with_redis_an_approval_queues_a_job_that_a_worker_runs(
    rq_app: Flask, libretranslate: FakeLibreTranslate
) -> None:
    [rid] = submitted_answers(rq_app, [PLAIN])
    approve(rq_app, rid)
    with rq_app.app_context():
        queue = jobs.queue_for(rq_app)
        # The approval also queues the recommendation's themes (consult/themes): one job each.
        assert queue.count == 2
        [job] = _translation_jobs(queue)
        assert job.func_name == "consult.jobs.run_job" and job.args == (JOB, rid)
    assert stored(rq_app, rid) == [] and libretranslate.requests == []
    run_burst_worker(rq_app)
    assert stored(rq_app, rid) == [("fr", "machine:libretranslate")]
    with rq_app.app_context():
        assert queue.count == 0 and job.get_status() == "finished"
        assert jobs.jobs_delayed(rq_app) is False


def test_with_redis_a_failing_provider_is_retried_later(
    rq_app: Flask, libretranslate: FakeLibreTranslate
) -> None:
    libretranslate.mode = "error"
    [rid] = submitted_answers(rq_app, [PLAIN])
    approve(rq_app, rid)
    with rq_app.app_context():
        [job] = _translation_jobs(jobs.queue_for(rq_app))
    run_burst_worker(rq_app)
    job.refresh()
    assert job.get_status() == "scheduled" and job.retries_left == 2  # next try in 10 s
    assert stored(rq_app, rid) == []


def test_requeue_with_redis_queues_what_is_missing(
    rq_app: Flask, libretranslate: FakeLibreTranslate
) -> None:
    [rid] = submitted_answers(rq_app, [PLAIN])
    approve(rq_app, rid)
    run_burst_worker(rq_app)
    other = submitted_answers(rq_app, ["Schools should accept children before papers are ready."])
    with rq_app.app_context():
        db.session.execute(sa.delete(ResponseTranslation))
        db.session.commit()
    approve(rq_app, other[0])
    run_burst_worker(rq_app)
    with rq_app.app_context():
        db.session.execute(sa.delete(ResponseTranslation))
        db.session.commit()
    result = rq_app.test_cli_runner().invoke(args=["translate", "requeue"])
    assert "2 answer(s) lacking a translation queued" in result.output
    run_burst_worker(rq_app)
    assert stored(rq_app, rid) == stored(rq_app, other[0]) == [("fr", "machine:libretranslate")]


def test_an_unreachable_redis_delays_jobs_but_not_approvals(
    demo_app: Flask, app_factory, libretranslate: FakeLibreTranslate
) -> None:
    app = translating_app(app_factory, libretranslate, CONSULT_REDIS_URL="redis://127.0.0.1:1/0")
    [rid] = submitted_answers(app, [PLAIN])
    approve(app, rid)  # the job is not queued (logged); the approval stands
    with app.app_context():
        assert db.session.get(Response, rid).moderation_state == "approved"
        assert jobs.enqueue(JOB, rid) == "not-queued"
    assert jobs.jobs_delayed(app) is True
