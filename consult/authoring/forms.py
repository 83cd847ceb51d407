"""Forms of the organisers' pages. The domain checks (slug, languages, dates) are in operations;
the forms only parse what was typed, so one message per problem reaches the page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from consult.forms import MultiCheckboxField, choices
from consult.i18n.languages import language_info, supported_languages
from consult.vocab import RecommendationStage


def language_choices() -> list[tuple[str, str]]:
    return [(code, f"{language_info(code).endonym} ({code})") for code in supported_languages()]


class _LanguageChoices:
    """Every language field offers the site's languages; a code outside them is an error the
    operations name (validate_choice is off so the message is ours, not WTForms')."""

    def _offer_languages(self: Any) -> None:
        choices = language_choices()
        for name in ("source_language", "working_languages", "interface_languages"):
            if name in self:
                self[name].choices = choices


class SettingsForm(FlaskForm, _LanguageChoices):
    revision = HiddenField()
    source_language = SelectField(_l("Source language"), validate_choice=False)
    working_languages = MultiCheckboxField(
        _l("Working languages (what organisers read answers in)"), validate_choice=False
    )
    interface_languages = MultiCheckboxField(
        _l("Languages offered to participants"), validate_choice=False
    )
    opens_on = DateField(_l("Opening date"), validators=[Optional()])
    closes_on = DateField(_l("Closing date"), validators=[Optional()])
    retention_days = IntegerField(
        _l("Keep answers for (days after closing)"),
        default=730,
        validators=[InputRequired(_l("Say how many days answers are kept.")), NumberRange(min=1)],
    )
    small_group_threshold = IntegerField(
        _l("Smallest group shown in breakdowns"),
        default=5,
        validators=[
            InputRequired(_l("Say the smallest group size shown.")),
            NumberRange(min=3, message=_l("The smallest group shown is 3 people or more.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_languages()


class CreateForm(SettingsForm):
    slug = StringField(
        _l("Address (slug)"),
        validators=[InputRequired(_l("Choose the consultation's address.")), Length(max=80)],
    )
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the consultation a title.")), Length(max=300)],
    )


class TextsForm(FlaskForm):
    revision = HiddenField()
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the consultation a title.")), Length(max=300)],
    )
    summary = TextAreaField(_l("Summary (one or two sentences)"), validators=[Length(max=2000)])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=20000)])
    consent = TextAreaField(_l("Consent text"), validators=[Length(max=20000)])
    consent_changed = BooleanField(_l("This changes what participants agree to"))
    question = StringField(_l("Question about each idea"), validators=[Length(max=300)])
    question_why = StringField(_l("Question asking why"), validators=[Length(max=300)])


class RecommendationForm(FlaskForm):
    revision = HiddenField()
    title = TextAreaField(
        _l("Recommendation"),
        validators=[
            InputRequired(_l("Write the recommendation: it cannot be empty.")),
            Length(max=300),
        ],
    )
    explanation = TextAreaField(_l("What it would mean in practice"), validators=[Length(max=5000)])
    section = StringField(_l("Section"), validators=[Length(max=80)])
    stage = SelectField(
        _l("Stage of the journey"),
        choices=choices(RecommendationStage),
        default=RecommendationStage.ALL,
        validate_choice=False,
    )
    meaning_changed = BooleanField(_l("This changes what the recommendation means"))


class StatusForm(FlaskForm):
    pass


class ButtonForm(FlaskForm):
    """A form of buttons only (move, hide, show, delete): the CSRF token."""
