"""The form of the translation desk's answer page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class TranslationForm(FlaskForm):
    # The page labels the box with the target language ("Translation into العربية").
    text = TextAreaField(_l("Translation"), validators=[Optional(), Length(max=8000)])
