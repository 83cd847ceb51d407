"""The staff landing page and a person's own account: language, password, second factor."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.extensions import db
from consult.i18n.languages import language_info, supported_languages
from consult.staff.access import open_during_enrolment, requires_roles
from consult.staff.accounts import operations as accounts
from consult.staff.accounts import second_factor as factor
from consult.staff.accounts import sessions, totp
from consult.staff.accounts.auth_views import locked_message
from consult.staff.accounts.blueprint import bp
from consult.staff.accounts.forms import (
    EnrolForm,
    LanguageForm,
    PasswordForm,
    SecondFactorOffForm,
)
from consult.staff.accounts.lockout import AccountLocked
from consult.staff.accounts.login_state import TOKEN_KEY

Page = str | tuple[str, int] | HTTPResponse


def _language_form(formdata: object = None) -> LanguageForm:
    form = LanguageForm(formdata=formdata) if formdata is not None else LanguageForm()
    form.language.choices = [(code, language_info(code).endonym) for code in supported_languages()]
    return form


def _account_page(
    password_form: PasswordForm | None = None,
    factor_form: SecondFactorOffForm | None = None,
    status: int = 200,
) -> Page:
    language_form = _language_form()
    language_form.language.data = current_user.ui_language
    page = render_template(
        "accounts/account.html",
        language_form=language_form,
        password_form=password_form or PasswordForm(formdata=None),
        factor_form=factor_form or SecondFactorOffForm(formdata=None),
    )
    return page, status


@bp.get("/account")
@requires_roles()
@open_during_enrolment
def account() -> Page:
    return _account_page()


@bp.post("/account/language")
@requires_roles()
def change_language() -> Page:
    form = _language_form()
    if form.validate_on_submit():
        accounts.set_language(current_user, form.language.data)
        db.session.commit()
        flash(_("Saved."))
    return redirect(url_for("staff.accounts.account"))


@bp.post("/account/password")
@requires_roles()
def change_password() -> Page:
    form = PasswordForm()
    status = 422
    if form.validate_on_submit():
        try:
            token = accounts.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.new_password.data,
            )
        except AccountLocked as locked:
            form.current_password.errors.append(locked_message(locked.until))
            status = 429
        except accounts.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        except accounts.WeakPassword as weak:
            form.new_password.errors.extend(str(p) for p in weak.problems)
        else:
            db.session.commit()
            # Every session ended, this one included; the person carries on in a new one.
            session[TOKEN_KEY] = token
            flash(_("Your password is changed. You were logged out everywhere else."))
            return redirect(url_for(".account"))
        db.session.commit()  # the refused attempt is counted and audited
    return _account_page(password_form=form, status=status)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires_roles()
@open_during_enrolment
def enrol_second_factor() -> Page:
    user = current_user._get_current_object()
    if user.totp_enabled:
        return redirect(url_for(".account"))
    token = session.get(TOKEN_KEY)
    form = EnrolForm()
    # The secret is made here and kept on this browser's server-side session: a form field would
    # let whoever holds the session choose it. Each visit to the page makes a new one.
    secret = sessions.pending_secret(token) if form.is_submitted() else None
    status = 200
    if secret is None:
        secret = totp.new_secret()
        sessions.set_pending_secret(token, secret)
        db.session.commit()
        if form.is_submitted():  # no secret was shown to this browser: the code cannot match
            form.code.errors.append(
                _("This code is not right. Check the time on your phone and try again.")
            )
            status = 422
    elif form.validate_on_submit():
        try:
            codes = factor.enable(user, form.password.data, secret, form.code.data)
        except AccountLocked as locked:
            form.password.errors.append(locked_message(locked.until))
            status = 429
        except accounts.WrongPassword:
            form.password.errors.append(_("This is not your current password."))
            status = 422
        except accounts.WrongCode:
            form.code.errors.append(
                _("This code is not right. Check the time on your phone and try again.")
            )
            status = 422
        else:
            sessions.set_pending_secret(token, None)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        db.session.commit()  # the refused attempt is counted and audited
    else:
        status = 422
    uri = totp.provisioning_uri(secret, user.email)
    return (
        render_template("accounts/enrol.html", form=form, qr_svg=totp.qr_svg(uri), secret=secret),
        status,
    )


@bp.post("/account/second-factor/off")
@requires_roles()
def disable_second_factor() -> Page:
    form = SecondFactorOffForm()
    if not form.validate_on_submit():
        return _account_page(factor_form=form, status=422)
    status = 422
    try:
        factor.disable(current_user._get_current_object(), form.password.data, form.code.data)
    except AccountLocked as locked:
        form.password.errors.append(locked_message(locked.until))
        status = 429
    except accounts.WrongPassword:
        form.password.errors.append(_("This is not your current password."))
    except accounts.WrongCode:
        form.code.errors.append(_("This code is not right, or was already used. Try the next one."))
    except accounts.AccountError:
        flash(_("An admin requires you to use a second factor."))
        return redirect(url_for(".account"))
    else:
        db.session.commit()
        flash(_("The second factor is turned off."))
        return redirect(url_for(".account"))
    db.session.commit()  # the refused attempt is counted and audited
    return _account_page(factor_form=form, status=status)
