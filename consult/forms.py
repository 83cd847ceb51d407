"""Form pieces shared by every feature: choices built from the vocabulary, checkbox lists."""

from __future__ import annotations

from wtforms import SelectChoice, SelectMultipleField, widgets

from consult.vocab import Vocabulary


def choices(vocabulary: type[Vocabulary]) -> list[SelectChoice]:
    """The members a form offers, each with its (lazily translated) label."""
    return [SelectChoice(value, label) for value, label in vocabulary.choices()]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (a multiple select is hard to use on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
