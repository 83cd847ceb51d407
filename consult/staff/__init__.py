"""The staff side: one `/staff` parent blueprint with the fail-closed access hook.

Each staff area (accounts, moderation, audit; later consultations, translation, summaries) has its
own blueprint, nested under this parent (Flask's nested blueprints), so every staff URL passes the
same access check in one place and no area needs to know another's views.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, render_template

from consult.staff.access import enforce_login, requires_roles


@requires_roles()
def home() -> str:
    return render_template("staff/home.html")


def staff_blueprint(areas: Iterable[Blueprint]) -> Blueprint:
    """A fresh `/staff` parent for one app, with the given areas nested under it."""
    parent = Blueprint("staff", __name__, url_prefix="/staff")
    parent.before_request(enforce_login)
    parent.add_url_rule("/", "home", home)
    for area in areas:
        parent.register_blueprint(area)
    return parent
