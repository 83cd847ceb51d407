"""`/healthz` and `/readyz`: what a load balancer or an orchestrator asks each app process.

- `/healthz` (liveness): the app answers and its database answers `SELECT 1`. 200, else 503.
- `/readyz` (readiness): as above, and the database's schema is at the migrations' head. While a
  `flask db upgrade` is pending (new code deployed before its migration ran) the answer is 503,
  so the proxy sends no participant to a process whose queries would fail half-way.

`jobs_delayed_cached` feeds the staff pages' "background jobs are delayed" banner.

Both are public (no log-in, no rate limit: a proxy asks every few seconds), read one row at most,
write nothing (no session cookie either) and say nothing an outsider could use: no revision ids,
no error text, no host names.
"""

from __future__ import annotations

import logging
import time
from functools import cache

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from consult.core import paths
from consult.core.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# How long a process trusts its last look at the job queue (the staff pages' banner).
JOBS_CHECK_SECONDS = 30
_jobs_checked: dict[int, tuple[float, bool]] = {}


@cache
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_revisions() -> frozenset[str] | None:
    """The revisions the database is at; None when it cannot be reached."""
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError as error:
        # The type only: a message may quote a URL or a statement.
        log.warning("readiness: database not usable (%s)", type(error).__name__)
        return None
    return frozenset(row[0] for row in rows)


def database_reachable() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("health: database not reachable (%s)", type(error).__name__)
        return False
    return True


def _answer(body: dict[str, str], status: int) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    if not database_reachable():
        return _answer({"status": "unavailable", "database": "unreachable"}, 503)
    return _answer({"status": "ok", "database": "ok"}, 200)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    current = database_revisions()
    if current is None:
        return _answer({"status": "unavailable", "database": "unreachable"}, 503)
    if current != migration_heads():
        return _answer({"status": "unavailable", "migrations": "pending"}, 503)
    return _answer({"status": "ready", "migrations": "done"}, 200)


@bp.app_template_global("jobs_delayed")
def jobs_delayed_cached(app: Flask | None = None) -> bool:
    """`consult.jobs.jobs_delayed`, asked at most every JOBS_CHECK_SECONDS per process: the staff
    layout shows a banner from it on every page, and a Redis that is down must not make each page
    wait for a connection timeout."""
    from consult.jobs import jobs_delayed

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    now = time.monotonic()
    checked = _jobs_checked.get(id(app))
    if checked is not None and now - checked[0] < JOBS_CHECK_SECONDS:
        return checked[1]
    delayed = jobs_delayed(app)
    _jobs_checked[id(app)] = (now, delayed)
    return delayed
