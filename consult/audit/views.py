"""The audit log's page under `/staff/admin/audit` (admins only)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request

from consult.audit import queries
from consult.staff.access import requires_roles
from consult.staff.paging import current_cursor

bp = Blueprint("audit", __name__)
# Events per page (tests lower it to cross page boundaries with a few events).
PAGE_SIZE = 100


def _date_arg(name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/admin/audit")
@requires_roles("admin")
def audit_log() -> str:
    filters = queries.AuditFilters(
        actor=request.args.get("actor", "").strip(),
        action=request.args.get("action", "").strip(),
        object_type=request.args.get("object_type", "").strip(),
        since=_date_arg("since"),
        until=_date_arg("until"),
    )
    return render_template(
        "audit/log.html",
        page=queries.search(filters, current_cursor(), limit=PAGE_SIZE),
        count=queries.count(filters),
        actions=queries.recorded_actions(),
        args=request.args,
    )
