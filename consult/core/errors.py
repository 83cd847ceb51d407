"""Error pages in the user's language, each with a status code that fits.

A form sent with an expired or missing security token (CSRF) is not thrown away: the page shows what
the person typed in a fresh form that posts to the same address, so one click sends it again.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.consultations.content import localise_consultation

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

MESSAGES = {
    400: (_l("Something went wrong with this page"), _l("Please go back and try again.")),
    403: (_l("You cannot open this page"), _l("Your account does not have access to it.")),
    404: (
        _l("We could not find this page"),
        _l("The link may be old or mistyped. You can start again from the home page."),
    ),
    405: (_l("Something went wrong with this page"), _l("Please go back and try again.")),
    410: (_l("This consultation is closed"), _l("It is no longer taking answers.")),
    413: (
        _l("What you sent is too large"),
        _l("Please make your answer shorter and send it again."),
    ),
    429: (
        _l("Too many tries"),
        _l("Please wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your answers that were already saved are safe. Please try again in a moment."),
    ),
}


def resend_on_csrf_failure(*typed_fields: str) -> Callable[[F], F]:
    """Let a form's view offer "send again" when its security token fails, keeping what was typed.

    `typed_fields` are the fields holding text a person wrote: the page shows them back, editable;
    every other field travels along hidden. A view that does not ask for this gets the plain error.
    """

    def mark(view: F) -> F:
        view.resend_typed_fields = frozenset(typed_fields)  # type: ignore[attr-defined]
        return view

    return mark


def render_error(code: int) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    closed = g.pop("closed_consultation", None)
    lang = g.get("lang") or "en"
    context = {"consultation": localise_consultation(closed, lang)} if closed else {}
    return (
        render_template("errors/error.html", code=code, title=title, message=message, **context),
        code,
    )


def handle_http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    # Flask-WTF already refused the request; re-offer what was typed with a fresh token.
    view = current_app.view_functions.get(request.endpoint or "")
    typed = getattr(view, "resend_typed_fields", None)
    if typed is None:
        return render_error(400)
    fields = [
        (name, value, name in typed)
        for name, value in request.form.items(multi=True)
        if name != "csrf_token"
    ]
    return (
        render_template("errors/csrf.html", fields=fields, action=request.path),
        400,
    )


def handle_unexpected_error(error: Exception) -> tuple[str, int]:
    # Log the error type and where, never the request body or the error's message: they may hold
    # participant text (an exception's message can quote SQL parameters): only type and frames.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "Unhandled %s on %s %s\n%s", type(error).__name__, request.method, request.endpoint, frames
    )
    return render_error(500)


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
