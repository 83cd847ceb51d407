"""The audit log's page under `/staff/admin/audit` (admins only)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request

from consult.audit import queries
from consult.staff.access import requires_roles
from consult.staff.paging import current_page, page_count

bp = Blueprint("audit", __name__)
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
    page = current_page()
    events, total = queries.search(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/log.html",
        events=events,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        actions=queries.recorded_actions(),
        args=request.args,
    )
