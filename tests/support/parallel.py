"""Running one operation in several threads at the same moment, each thread with its own app
context (and so its own database connection), for tests of races.

Nothing here measures time: a `threading.Barrier` releases every thread together, and each one's
outcome (a value, or the exception it raised) is returned in thread order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from consult.core.extensions import db

JOIN_SECONDS = 60


def at_once(
    app: Flask,
    count: int,
    work: Callable[[Any], Any],
    prepare: Callable[[int], Any] = lambda index: index,
) -> list[Any]:
    """In `count` threads, call `prepare(i)` (e.g. load a row, so that every thread has read it
    before any writes), wait until all are ready, then call `work` with what `prepare` returned.
    Each thread commits after `work` returns (rolls back when it raises). Returns each call's value
    or exception, in thread order.

    A thread that reads in `prepare` holds a pooled connection while it waits: keep `count` at 15
    or less then (the pool's size); threads that read nothing before the barrier may be more."""
    barrier = threading.Barrier(count, timeout=JOIN_SECONDS)
    outcomes: list[Any] = [None] * count

    def run(index: int) -> None:
        with app.app_context():
            ready = prepare(index)
            barrier.wait()
            try:
                outcomes[index] = work(ready)
                db.session.commit()
            except Exception as problem:  # the test looks at what each thread got
                db.session.rollback()
                outcomes[index] = problem

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes
