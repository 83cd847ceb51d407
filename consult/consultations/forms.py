"""Forms of the content pages: translating a text, the drafts-shown languages, imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

from consult.forms import MultiCheckboxField


class ConsultationTranslationForm(FlaskForm):
    token = HiddenField()
    title = TextAreaField(_l("Title"))
    summary = TextAreaField(_l("Summary"))
    introduction = TextAreaField(_l("Introduction"))
    consent = TextAreaField(_l("Consent text"))
    question = TextAreaField(_l("Question"))
    question_why = TextAreaField(_l("Second question (why?)"))


class RecommendationTranslationForm(FlaskForm):
    token = HiddenField()
    title = TextAreaField(_l("Title"))
    explanation = TextAreaField(_l("Explanation"))


class DraftsShownForm(FlaskForm):
    languages = MultiCheckboxField(
        _l("Also show drafts to participants in these languages"), validate_choice=False
    )


class ButtonForm(FlaskForm):
    """A form with only its security token: one button."""


class ImportForm(FlaskForm):
    file = FileField(_l("File"))
