"""`flask --app consult worker`: run the background jobs queued on Redis (RQ)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run queued jobs (machine translation, content drafts) until stopped.

    Needs CONSULT_REDIS_URL. Each job runs in a process forked from this one, with this app, and is
    retried 3 times (10 s, 1 min, 5 min later) when it fails; the scheduler that puts retries back
    on the queue runs inside the worker.
    """
    from rq import Worker

    from consult.jobs import queue_for

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("CONSULT_REDIS_URL"):
        raise click.UsageError(
            "CONSULT_REDIS_URL is not set: without Redis, jobs run inside the web process."
        )
    queue = queue_for(app)
    worker = Worker([queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=not burst)
