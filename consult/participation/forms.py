"""Forms of the participant journey. Labels and messages are lazy: translated per request."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, ValidationError

from consult.forms import MultiCheckboxField, choices
from consult.i18n.formatting import local_number
from consult.text.clean import clean_free_text
from consult.vocab import AgeBand, Group, JourneyStage, Stance


def _allowed(field: Any) -> set[str]:
    return {choice.value for choice in field.choices}


def optional_choice(form: FlaskForm, field: RadioField) -> None:
    """Nothing chosen is allowed (a participant may skip); anything else must be one of the
    choices."""
    if field.data in (None, "", "None"):
        field.data = None
        return
    if field.data not in _allowed(field):
        raise ValidationError(_l("Please choose one of the answers shown."))


def free_text_length(form: FlaskForm, field: TextAreaField) -> None:
    limit = current_app.config["CONSULT_FREE_TEXT_MAX_CHARS"]
    length = len(clean_free_text(field.data))
    if length > limit:
        raise ValidationError(
            _l(
                "Your answer has %(length)s characters; the limit is %(limit)s. Please make it "
                "shorter. Your text is still here.",
                length=local_number(length),
                limit=local_number(limit),
            )
        )


class ConsentForm(FlaskForm):
    agree = BooleanField(
        _l("I have read this and I agree to take part."),
        validators=[
            InputRequired(
                _l("To take part, please tick the box to say you agree. You can also just leave.")
            )
        ],
    )
    # An answer carried over when the participant's session ended in the middle of the journey.
    carry_position = HiddenField()
    carry_stance = HiddenField()
    carry_text = HiddenField()


class AnswerForm(FlaskForm):
    stance = RadioField(
        _l("What do you think?"),
        choices=choices(Stance),
        validators=[optional_choice],
        validate_choice=False,
    )
    text = TextAreaField(
        _l("Why? What would make this work for people like you?"),
        validators=[free_text_length],
    )


class ProfileForm(FlaskForm):
    stage = RadioField(
        _l("Where are you in your journey?"),
        choices=choices(JourneyStage),
        validators=[optional_choice],
        validate_choice=False,
    )
    groups = MultiCheckboxField(_l("Are you any of these?"), choices=choices(Group))
    groups_declined = BooleanField(_l("I prefer not to say"))
    age_band = RadioField(
        _l("How old are you?"),
        choices=choices(AgeBand),
        validators=[optional_choice],
        validate_choice=False,
    )

    def validate_groups(self, field: Any) -> None:
        if any(value not in _allowed(field) for value in field.data or []):
            raise ValidationError(_l("Please choose one of the answers shown."))


class SubmitForm(FlaskForm):
    pass


class ReceiptForm(FlaskForm):
    code = StringField(
        _l("Your receipt code"),
        validators=[InputRequired(_l("Please type your receipt code."))],
    )


class DeleteForm(FlaskForm):
    # The code travels in the form, never in an address the browser's history would keep.
    code = HiddenField()
    confirm = BooleanField(
        _l("Yes, delete all my answers. I understand this cannot be undone."),
        validators=[InputRequired(_l("Please tick the box to confirm that you want to delete."))],
    )


class StartAgainForm(FlaskForm):
    """The "start again as a new person" button of a shared phone.

    `slug`: the consultation whose first page comes next.
    """

    slug = HiddenField()
