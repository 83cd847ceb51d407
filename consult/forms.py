"""Form pieces shared by every feature: choices built from the vocabulary, checkbox lists."""

from __future__ import annotations

from typing import Any

from wtforms import SelectChoice, SelectMultipleField, widgets


def choices(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (a multiple select is hard to use on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
