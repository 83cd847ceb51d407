"""Forms of the export, outcome and publishing pages (plain forms: no JavaScript needed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional

# Long enough for a considered paragraph or three; a page of results stays readable.
OUTCOME_MAX_CHARS = 8000


class ActionForm(FlaskForm):
    """A button that does one thing (export, publish, ask for drafts): the form token alone."""


class OutcomeForm(FlaskForm):
    """One recommendation's outcome (`recommendation` is its key), in one language."""

    recommendation = HiddenField()
    heard = TextAreaField(
        _l("What we heard"), validators=[Optional(), Length(max=OUTCOME_MAX_CHARS)]
    )
    will_do = TextAreaField(
        _l("What we will do"), validators=[Optional(), Length(max=OUTCOME_MAX_CHARS)]
    )


class ConsultationOutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("What came of the consultation as a whole (optional)"),
        validators=[Optional(), Length(max=OUTCOME_MAX_CHARS)],
    )
