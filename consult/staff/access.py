"""Who may open which staff page.

Every view of the staff blueprint declares its rule with one of two decorators: `@public` (log-in
and invitation pages) or `@requires_roles(...)` (no roles: any signed-in staff member). A
before-request check refuses any staff view that declares neither, so a new route without a rule
fails closed — and the access-control test walks the URL map to prove each rule holds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

# Where the hook sends a person who must log in, or must first turn on a second factor.
LOGIN_ENDPOINT = "staff.accounts.login"
ENROLMENT_ENDPOINT = "staff.accounts.enrol_second_factor"


def public(view: F) -> F:
    view.staff_access = ()  # type: ignore[attr-defined]
    view.staff_public = True  # type: ignore[attr-defined]
    return view


def open_during_enrolment(view: F) -> F:
    """A page that a signed-in person who must still turn on a second factor may open."""
    view.staff_during_enrolment = True  # type: ignore[attr-defined]
    return view


def requires_roles(*roles: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        checked.staff_access = roles  # type: ignore[attr-defined]
        checked.staff_public = False  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def enforce_login() -> Any:
    """Before every staff request: a rule must exist; non-public pages need a signed-in person."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None  # 404/405 are handled by Flask
    if not hasattr(view, "staff_access"):
        abort(403)  # a staff view without an access rule is never served
    if view.staff_public:
        return None
    if not current_user.is_authenticated:
        session["staff_next"] = request.full_path if request.method == "GET" else None
        return redirect(url_for(LOGIN_ENDPOINT))
    if (
        current_user.totp_required
        and not current_user.totp_enabled
        and not getattr(view, "staff_during_enrolment", False)
    ):
        return redirect(url_for(ENROLMENT_ENDPOINT))
    return None
