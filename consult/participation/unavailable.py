"""When the database cannot take what a participant sends (locked past its busy timeout,
restarting, refusing connections): the page comes back with what they typed, a message in their
language, status 503 and Retry-After, instead of a 500 page that loses the text.

One error handler for the whole participant blueprint (`handle_database_errors`). A view that can
show its form again says how, with `on_failure(render)`, before it saves; when that page cannot be
built either (it needs the database for the consultation's text), a minimal page holds everything
that was sent in a form that posts to the same address. The log names the error's type and where
it happened, never its message: a database error's message can quote SQL parameters, which are
participant text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as HTTPResponse

from consult.core.errors import SECRET_FIELD_WORDS, error_page, log_unexpected
from consult.core.extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# The database could not be reached or did not answer in time; a retry may work. Not
# IntegrityError and the like: those are bugs, and stay 500s.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
)
MESSAGE = _l(
    "We could not save this just now. Nothing you typed is lost: please try again in a moment."
)


def on_failure(render: Callable[[], Any]) -> None:
    """Should the database fail from here on in this request, show the form again with `render`
    (which returns the page, as the view would)."""
    g.participation_form_again = render


def _roll_back() -> None:
    with suppress(*DATABASE_ERRORS):  # the connection is gone: nothing was written
        db.session.rollback()


def _form_again() -> HTTPResponse:
    render = g.pop("participation_form_again", None)
    if render is not None:
        try:
            return make_response(render())
        except DATABASE_ERRORS:
            _roll_back()  # the page needs the database too: the minimal page, then
    view = current_app.view_functions.get(request.endpoint or "")
    typed = getattr(view, "resend_typed_fields", frozenset())
    token = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    fields = [
        (name, value, name in typed)
        for name, value in request.form.items(multi=True)
        if name != token and not any(word in name.lower() for word in SECRET_FIELD_WORDS)
    ]
    try:
        page = render_template("participation/unavailable.html", fields=fields, action=request.path)
    except Exception as problem:  # this handler must not fail: the plain error page, then
        log_unexpected(problem)
        return make_response(error_page(503))
    return make_response(page)


def handle_database_error(error: Exception) -> HTTPResponse:
    _roll_back()
    log.warning(
        "Database unavailable (%s) on %s %s",
        type(error).__name__,
        request.method,
        request.endpoint,
    )
    if request.method == "POST":
        flash(str(MESSAGE))  # a plain string: the session cannot hold a lazy one
        response = _form_again()
    else:
        response = make_response(error_page(503))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_database_errors(blueprint: Blueprint) -> None:
    for error in DATABASE_ERRORS:
        blueprint.register_error_handler(error, handle_database_error)
