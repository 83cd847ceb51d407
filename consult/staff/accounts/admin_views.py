"""Administration of staff accounts: invite, roles, deactivate, require a second factor."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.extensions import db
from consult.models import StaffUser
from consult.staff.access import requires_roles
from consult.staff.accounts import operations as accounts
from consult.staff.accounts.blueprint import bp
from consult.staff.accounts.forms import InviteForm, StaffUpdateForm

Page = str | tuple[str, int] | HTTPResponse


def _staff_list() -> list[tuple[StaffUser, StaffUpdateForm]]:
    users = db.session.scalars(sa.select(StaffUser).order_by(StaffUser.email)).all()
    return [
        (user, StaffUpdateForm(formdata=None, obj=user, prefix=f"u{user.id}")) for user in users
    ]


def _invitation_link(token: str) -> str:
    """The link to pass on, on the configured address: never on the request's Host header, which
    whoever sends the request chooses (only in debug, without CONSULT_EXTERNAL_URL)."""
    base = current_app.config["CONSULT_EXTERNAL_URL"]
    if not base:
        return url_for("staff.accounts.accept_invitation", token=token, _external=True)
    return base + url_for("staff.accounts.accept_invitation", token=token)


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
            invitation_url = _invitation_link(token)
            form = InviteForm(formdata=None)
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "accounts/staff_list.html",
            form=form,
            staff=_staff_list(),
            invitation_url=invitation_url,
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
    return redirect(url_for("staff.accounts.staff_accounts"))
