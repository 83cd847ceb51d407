"""Background work: an RQ queue on Redis when CONSULT_REDIS_URL is set, in-process otherwise.

A job is a function named by its import path (inside `consult.`), given plain ids: it reads what it
needs from the database itself, so a job queued before a change sees the change. `run_job` runs
each one in an application context of its own and commits once when the function returns (rolls
back when it raises): the function itself, like every domain function, only flushes.

- **With Redis**, `enqueue` puts the job on the "consult" queue; `flask --app consult worker` runs
  it, retrying a failed job 3 times, 10 s, 1 min and 5 min later. If Redis cannot be reached the
  job is not queued (a warning is logged, the request goes on); `flask --app consult translate
  requeue` queues again whatever is still missing.
- **Without Redis**, during a request the job runs in the same process after the response has
  been sent (`response.call_on_close`), not in a thread: one job at a time per worker process,
  nothing left running when the worker stops, and the participant or moderator never waits for
  it. It is tried once, without sleeping or retrying in the web process: what fails is picked up
  by the re-queue command. Outside a request (a command) the job runs at once.

`enqueue_after_commit` holds a job until the current database transaction commits (and drops it
on rollback), so a job never reads the database before the change that asked for it is there.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, after_this_request, current_app, has_app_context, has_request_context

from consult.core.extensions import db

log = logging.getLogger(__name__)

# RQ's retries: three more attempts, 10 s, 1 min and 5 min after a failure.
RETRY_INTERVALS = [10, 60, 300]
JOB_TIMEOUT_SECONDS = 600
# `jobs_delayed`: the oldest waiting job has waited this long.
DELAY_THRESHOLD = timedelta(minutes=5)
_PENDING_KEY = "consult.jobs.after_commit"
_worker_app: Flask | None = None


# --- running a job ------------------------------------------------------------------------------


def _resolve(func_path: str) -> Callable[..., Any]:
    module_name, _, attribute = func_path.rpartition(".")
    if not module_name.startswith("consult.") or not attribute:
        raise ValueError(f"not a Consult job: {func_path!r}")
    func = getattr(importlib.import_module(module_name), attribute)
    if not callable(func):
        raise ValueError(f"not a function: {func_path!r}")
    return func


def _job_app() -> Flask:
    """The app a job runs in: the current one (the `worker` command's, a test's), else one created
    once per worker process (a worker started by `rq worker` rather than `flask ... worker`)."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from consult import create_app

        _worker_app = create_app()
    return _worker_app


def run_job(func_path: str, *args: Any) -> None:
    """Run the job `func_path(*args)` in an application context (and database session) of its
    own; commit when it returns, roll back and re-raise when it fails. RQ calls this."""
    func = _resolve(func_path)
    with _job_app().app_context():
        try:
            func(*args)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def _run_logged(app: Flask, func_path: str, args: tuple[Any, ...]) -> bool:
    with app.app_context():
        try:
            run_job(func_path, *args)
        except Exception as error:  # the re-queue command tries again later
            log.warning("job %s%r failed: %s", func_path, args, error)
            return False
    return True


# --- queueing ---------------------------------------------------------------------------------


def _redis(app: Flask) -> Any:
    import redis

    client = app.extensions.get("consult_jobs_redis")
    if client is None:
        client = redis.Redis.from_url(
            app.config["CONSULT_REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        app.extensions["consult_jobs_redis"] = client
    return client


def queue_for(app: Flask) -> Any:
    """The app's RQ queue (Redis must be configured)."""
    from rq import Queue

    return Queue(app.config["JOBS_QUEUE"], connection=_redis(app))


def enqueue(func_path: str, *args: Any) -> str:
    """Run `func_path(*args)` in the background: "queued" (RQ), "after-response" (in-process,
    after the current request), "ran" or "failed" (in-process, now), "not-queued" (Redis down)."""
    _resolve(func_path)  # a mistyped path fails here, in the caller, not later in a worker
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("CONSULT_REDIS_URL"):
        import redis
        from rq import Retry

        try:
            queue_for(app).enqueue(
                "consult.jobs.run_job",
                func_path,
                *args,
                retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                job_timeout=JOB_TIMEOUT_SECONDS,
            )
        except redis.RedisError as error:
            log.warning("job %s%r not queued (Redis: %s)", func_path, args, error)
            return "not-queued"
        return "queued"
    if has_request_context():

        @after_this_request
        def _after_response(response: Any) -> Any:
            response.call_on_close(lambda: _run_logged(app, func_path, args))
            return response

        return "after-response"
    return "ran" if _run_logged(app, func_path, args) else "failed"


def enqueue_after_commit(func_path: str, *args: Any) -> None:
    """`enqueue` once the current database transaction commits; forgotten if it rolls back."""
    _resolve(func_path)
    db.session.info.setdefault(_PENDING_KEY, []).append((func_path, args))


def _dispatch_pending(session: Any) -> None:
    pending = session.info.pop(_PENDING_KEY, [])
    for func_path, args in pending:
        enqueue(func_path, *args)


def _forget_pending(session: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


def init_jobs(app: Flask) -> None:
    """Dispatch the jobs held by `enqueue_after_commit` when a session commits (once per process:
    the listeners are on Flask-SQLAlchemy's session class, shared by every app)."""
    if not sa.event.contains(db.session, "after_commit", _dispatch_pending):
        sa.event.listen(db.session, "after_commit", _dispatch_pending)
        sa.event.listen(db.session, "after_rollback", _forget_pending)


# --- health -----------------------------------------------------------------------------------


def jobs_delayed(app: Flask | None = None) -> bool:
    """True when background work is late: Redis cannot be reached, or the oldest waiting job has
    waited more than DELAY_THRESHOLD. In-process jobs are never queued, so never late."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("CONSULT_REDIS_URL"):
        return False
    import redis

    try:
        queue = queue_for(app)
        queue.connection.ping()
        oldest = queue.get_jobs(0, 0)
    except redis.RedisError:
        return True
    if not oldest or oldest[0].enqueued_at is None:
        return False
    enqueued = oldest[0].enqueued_at
    if enqueued.tzinfo is None:
        enqueued = enqueued.replace(tzinfo=UTC)
    return datetime.now(UTC) - enqueued > DELAY_THRESHOLD
