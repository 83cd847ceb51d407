"""Forms of the staff accounts pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length

from consult.forms import MultiCheckboxField, choices
from consult.vocab import Role


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[InputRequired(), Length(max=32)],
    )


class EnrolForm(FlaskForm):
    # No field for the secret: the server makes it and keeps it (docs/decisions.md, issue 8).
    password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=1024)])
    code = StringField(
        _l("The 6-digit code your app shows now"), validators=[InputRequired(), Length(max=32)]
    )


class SecondFactorOffForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=1024)])
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[InputRequired(), Length(max=32)],
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=1024)]
    )
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)])


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("Choose a password"), validators=[InputRequired(), Length(max=1024)]
    )


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language of the staff pages"), choices=[], validate_choice=True)


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    roles = MultiCheckboxField(_l("Roles"), choices=choices(Role))


class StaffUpdateForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=choices(Role))
    active = BooleanField(_l("Can log in"))
    totp_required = BooleanField(_l("Must use a second factor"))
