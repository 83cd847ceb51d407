"""Administration: staff accounts (invite, roles, deactivate, require 2FA) and the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.extensions import db
from consult.models import AuditEvent, StaffUser
from consult.staff import accounts, bp
from consult.staff.access import requires_roles
from consult.staff.forms import InviteForm, StaffUpdateForm
from consult.staff.paging import current_page, page_count

Page = str | tuple[str, int] | HTTPResponse
AUDIT_PAGE_SIZE = 100


def _staff_list() -> list[tuple[StaffUser, StaffUpdateForm]]:
    users = db.session.scalars(sa.select(StaffUser).order_by(StaffUser.email)).all()
    return [
        (user, StaffUpdateForm(formdata=None, obj=user, prefix=f"u{user.id}")) for user in users
    ]


@bp.route("/admin/staff", methods=["GET", "POST"])
@requires_roles("admin")
def staff_accounts() -> Page:
    form = InviteForm()
    status = 200
    invitation_url = None
    if form.validate_on_submit():
        try:
            _user, token = accounts.invite(form.email.data, form.roles.data or [], current_user)
        except accounts.AccountError:
            form.email.errors.append(_("This e-mail address already has an account."))
            status = 422
        else:
            db.session.commit()
            invitation_url = url_for("staff.accept_invitation", token=token, _external=True)
            form = InviteForm(formdata=None)
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "staff/admin/staff.html", form=form, staff=_staff_list(), invitation_url=invitation_url
        ),
        status,
    )


@bp.post("/admin/staff/<int:user_id>")
@requires_roles("admin")
def update_staff_account(user_id: int) -> Page:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    form = StaffUpdateForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        try:
            accounts.update_staff(
                user,
                current_user,
                roles=form.roles.data or [],
                active=form.active.data,
                totp_required=form.totp_required.data,
            )
        except accounts.AccountError:
            flash(_("You cannot remove your own admin role or deactivate yourself."))
        else:
            db.session.commit()
            flash(_("Saved."))
    return redirect(url_for("staff.staff_accounts"))


def _date_arg(name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/admin/audit")
@requires_roles("admin")
def audit_log() -> Page:
    query = sa.select(AuditEvent)
    actor = request.args.get("actor", "").strip().lower()
    action = request.args.get("action", "").strip()
    object_type = request.args.get("object_type", "").strip()
    since, until = _date_arg("since"), _date_arg("until")
    if actor:
        query = query.where(AuditEvent.actor_label.contains(actor))
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    page = current_page()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    actions = db.session.scalars(
        sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    return render_template(
        "staff/admin/audit.html",
        events=events,
        total=total,
        page=page,
        pages=page_count(total, AUDIT_PAGE_SIZE),
        actions=actions,
        args=request.args,
    )
