"""Log-in (password, then second factor), log-out, and accepting an invitation."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.extensions import db
from consult.core.ratelimits import rate_limited
from consult.core.timeutil import utcnow
from consult.i18n.formatting import local_time
from consult.models import StaffUser
from consult.staff.access import open_during_enrolment, public, requires_roles
from consult.staff.accounts import lockout
from consult.staff.accounts import operations as accounts
from consult.staff.accounts import second_factor as factor
from consult.staff.accounts.blueprint import bp
from consult.staff.accounts.forms import LoginForm, SecondFactorForm, SetPasswordForm
from consult.staff.accounts.login_state import TOKEN_KEY

PENDING_KEY = "staff_pending_2fa"
PENDING_SECONDS = 300


def locked_message(until: datetime) -> str:
    """For a person who has proved who they are (a signed-in page, the second step of the log-in):
    the log-in page itself never says that an account is locked."""
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return _(
        "Too many failed attempts. This account is locked until %(time)s UTC "
        "(in about %(minutes)s minutes). Try again then.",
        time=local_time(until),
        minutes=minutes,
    )


def _sign_in(user: StaffUser, second_factor: str | None) -> HTTPResponse:
    next_url = session.get("staff_next")
    token = accounts.complete_login(user, second_factor)
    db.session.commit()
    session.clear()  # a new session at log-in: nothing from before carries over
    session[TOKEN_KEY] = token
    login_user(user)
    if next_url and next_url.startswith("/staff/"):
        return redirect(next_url)
    return redirect(url_for("staff.home"))


@bp.route("/login", methods=["GET", "POST"])
@public
@rate_limited("CONSULT_LOGIN_RATE_LIMIT", methods=["POST"])
def login() -> str | tuple[str, int] | HTTPResponse:
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    status = 200
    failed = False
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        user = result.user if result.ok else None
        if user is None:
            # One answer for a wrong password, an unknown address, a deactivated or a locked
            # account: anything else would tell a stranger which addresses have accounts, and
            # "locked" after the right password would tell them the password.
            form.password.errors.append(_("The e-mail address or the password is not right."))
            failed = True
            status = 401
        else:
            if user.totp_enabled:
                session[PENDING_KEY] = {"user": user.id, "at": utcnow().timestamp()}
                return redirect(url_for("staff.accounts.second_factor"))
            return _sign_in(user, None)
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form, failed=failed), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@rate_limited("CONSULT_LOGIN_RATE_LIMIT", methods=["POST"])
def second_factor() -> str | tuple[str, int] | HTTPResponse:
    pending = session.get(PENDING_KEY)
    if not pending or utcnow().timestamp() - pending["at"] > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        flash(_("Please log in again."))
        return redirect(url_for(".login"))
    user = db.session.get(StaffUser, pending["user"])
    if user is None or not user.active:
        return redirect(url_for(".login"))
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        locked_until = None
        try:
            method = factor.check(user, form.code.data)
        except lockout.AccountLocked as locked:
            method, locked_until = None, locked.until
        if method:
            return _sign_in(user, method)
        db.session.commit()  # the failed attempt is counted and audited
        if locked_until is None and lockout.is_locked(user, utcnow()):
            locked_until = user.locked_until
        if locked_until is not None:
            # This person knows the password: saying that the account is locked gives nothing away.
            session.pop(PENDING_KEY, None)
            form.code.errors.append(locked_message(locked_until))
            status = 429
        else:
            form.code.errors.append(
                _("This code is not right, or was already used. Try the next one.")
            )
            status = 401
    return render_template("accounts/second_factor.html", form=form), status


@bp.post("/logout")
@requires_roles()
@open_during_enrolment
def logout() -> HTTPResponse:
    accounts.log_out(current_user, session.get(TOKEN_KEY))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."))
    return redirect(url_for(".login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> str | tuple[str, int] | HTTPResponse:
    user = accounts.find_invitation(token)
    if user is None:
        return render_template("accounts/invitation_invalid.html"), 404
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.accept_invitation(user, form.new_password.data)
        except accounts.WeakPassword as weak:
            form.new_password.errors.extend(str(p) for p in weak.problems)
            status = 422
        else:
            db.session.commit()
            flash(_("Your password is set. You can log in now."))
            return redirect(url_for(".login"))
    return render_template("accounts/invitation.html", form=form, user=user), status
