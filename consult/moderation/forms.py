"""Forms of the moderation and safeguarding pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from consult.forms import choices
from consult.vocab import RejectReason


class DecisionForm(FlaskForm):
    public_text = TextAreaField(_l("Public version"), validators=[Optional(), Length(max=4000)])
    reason = SelectField(_l("Reason"), choices=choices(RejectReason), validate_choice=True)
    note = TextAreaField(
        _l("Note for the team (optional)"), validators=[Optional(), Length(max=2000)]
    )


class BulkForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=choices(RejectReason), validate_choice=True)


class CaseForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    handled = BooleanField(_l("Handled"))
