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
from consult.staff.accounts import totp
from consult.staff.accounts.blueprint import bp
from consult.staff.accounts.forms import EnrolForm, LanguageForm, PasswordForm
from consult.staff.accounts.login_state import TOKEN_KEY

Page = str | tuple[str, int] | HTTPResponse


def _language_form(formdata: object = None) -> LanguageForm:
    form = LanguageForm(formdata=formdata) if formdata is not None else LanguageForm()
    form.language.choices = [(code, language_info(code).endonym) for code in supported_languages()]
    return form


@bp.get("/account")
@requires_roles()
@open_during_enrolment
def account() -> Page:
    language_form = _language_form()
    language_form.language.data = current_user.ui_language
    return render_template(
        "accounts/account.html",
        language_form=language_form,
        password_form=PasswordForm(formdata=None),
    )


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
    if form.validate_on_submit():
        try:
            token = accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
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
        db.session.commit()  # the refused attempt's audit event
    language_form = _language_form()
    language_form.language.data = current_user.ui_language
    return (
        render_template("accounts/account.html", language_form=language_form, password_form=form),
        422,
    )


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires_roles()
@open_during_enrolment
def enrol_second_factor() -> Page:
    form = EnrolForm()
    if not form.secret.data:
        form.secret.data = totp.new_secret()
    status = 200
    if form.validate_on_submit():
        codes = accounts.enable_second_factor(current_user, form.secret.data, form.code.data)
        if codes is not None:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(
            _("This code is not right. Check the time on your phone and try again.")
        )
        status = 422
    uri = totp.provisioning_uri(form.secret.data, current_user.email)
    return (
        render_template(
            "accounts/enrol.html", form=form, qr_svg=totp.qr_svg(uri), secret=form.secret.data
        ),
        status,
    )


@bp.post("/account/second-factor/off")
@requires_roles()
def disable_second_factor() -> Page:
    try:
        accounts.disable_second_factor(current_user, current_user)
    except accounts.AccountError:
        flash(_("An admin requires you to use a second factor."))
    else:
        db.session.commit()
        flash(_("The second factor is turned off."))
    return redirect(url_for("staff.accounts.account"))
