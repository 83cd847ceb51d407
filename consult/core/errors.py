"""Error pages in the user's language, each with a status code that fits, and the error logs.

A form sent with an expired or missing security token (CSRF) is not thrown away: when the request
comes with this site's own session, the page shows what the person typed in a form that posts to
the same address, so one click sends it again.

The handlers cannot fail: if the page template does, a page built without templates takes its
place, and `LastResort` answers whatever still escapes Flask. Logs name an exception's type and
stack frames, for it and for every exception it was raised from or during, never a message: an
exception's message can quote SQL parameters, which are participant text.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from consult.consultations.content import localise_consultation
from consult.i18n.selection import current_language

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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


# The page when even the error page cannot be built, or no request is left to build it for: the
# English of the 500 page, written out so that it needs neither templates nor translations.
FALLBACK_PAGE = (
    '<!doctype html>\n<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>\n"
)
LAST_RESORT_PAGE = FALLBACK_PAGE.format(
    lang="en",
    direction="ltr",
    title="Something went wrong on our side",
    message="Your answers that were already saved are safe. Please try again in a moment.",
)

# Form fields never written back into a "send again" page, whichever view asks for one.
SECRET_FIELD_WORDS = ("password", "passphrase", "secret")


def resend_on_csrf_failure(*typed_fields: str) -> Callable[[F], F]:
    """Let a form's view offer "send again" when its security token fails, keeping what was typed.

    `typed_fields` are the fields holding text a person wrote: the page shows them back, editable;
    every other field travels along hidden, except a password (or any field named like one), which
    is never shown. A view that does not ask for this gets the plain error; staff log-in and account
    forms never ask. The page is offered only to a request that brings this site's session (see
    `_fields_to_send_again`).
    """

    def mark(view: F) -> F:
        view.resend_typed_fields = frozenset(typed_fields)  # type: ignore[attr-defined]
        return view

    return mark


def describe_exception(error: BaseException) -> str:
    """The exception's type and stack frames, then those of each exception it was raised from or
    while handling (`__cause__`, `__context__`): never a message, which may quote participant
    text."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{link}{kind.__module__}.{kind.__qualname__}\n{frames}")
        if current.__cause__ is not None or current.__suppress_context__:
            current, link = current.__cause__, "... raised from "
        else:
            current, link = current.__context__, "... raised while handling "
    return "".join(parts)


def _where() -> str:
    if not has_request_context():
        return "outside a request"
    return f"{request.method} {request.endpoint}"


def log_unexpected(error: BaseException) -> None:
    """Log an error for the operator: where, its type and frames, never the request or a message."""
    log.error("Unhandled %s on %s\n%s", type(error).__name__, _where(), describe_exception(error))


def render_error(code: int) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    closed = g.pop("closed_consultation", None)
    lang = g.get("lang") or "en"
    context = {"consultation": localise_consultation(closed, lang)} if closed else {}
    return (
        render_template("errors/error.html", code=code, title=title, message=message, **context),
        code,
    )


def fallback_page(code: int) -> str:
    """The error page without templates, for when rendering one failed: in the page's language
    while the translations still work, else in English."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    try:
        language = current_language()
        return FALLBACK_PAGE.format(
            lang=escape(language.code),
            direction=escape(language.direction),
            title=escape(str(title)),
            message=escape(str(message)),
        )
    except Exception as problem:
        log_unexpected(problem)
        return LAST_RESORT_PAGE


def error_page(code: int) -> tuple[str, int]:
    """The error page for `code`; the plain fallback page if the template (or anything it needs,
    such as the database for a closed consultation's title) fails."""
    try:
        return render_error(code)
    except Exception as problem:
        log_unexpected(problem)
        return fallback_page(code), code


def handle_http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return error_page(error.code)


def _looks_secret(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_FIELD_WORDS)


def _has_own_session() -> bool:
    """The request brings this site's session cookie, and the session in it holds a CSRF token.

    A cross-site POST carries no cookies (they are SameSite=Lax), so it never gets the "send again"
    page: that page, with a fresh token and a new session, would let another site log a browser into
    an account of its choosing, or replace a participant's draft. An existing session already has
    its token, so the page reuses it and the response changes no cookie.
    """
    token_key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies and token_key in session


def _fields_to_send_again() -> list[tuple[str, str, bool]] | None:
    """(name, value, typed) for each field of the refused form, or None for the plain error."""
    view = current_app.view_functions.get(request.endpoint or "")
    typed: Iterable[str] | None = getattr(view, "resend_typed_fields", None)
    if typed is None or not _has_own_session():
        return None
    token_key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return [
        (name, value, name in typed)
        for name, value in request.form.items(multi=True)
        if name != token_key and not _looks_secret(name)
    ]


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    # Flask-WTF already refused the request; re-offer what was typed, to this site's own session.
    try:
        fields = _fields_to_send_again()
        if fields is None:
            return error_page(400)
        return render_template("errors/csrf.html", fields=fields, action=request.path), 400
    except Exception as problem:
        log_unexpected(problem)
        return fallback_page(400), 400


def handle_unexpected_error(error: Exception) -> tuple[str, int]:
    log_unexpected(error)
    return error_page(500)


class WithoutExceptionMessages(logging.Filter):
    """For Flask's own error logs (an exception inside an error handler, a failing after-request
    hook): the exception's type and frames take the place of its traceback and message, and the
    request's path (which may hold a receipt code) that of Flask's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = "Unhandled %s on %s\n%s"
            record.args = (type(error).__name__, _where(), describe_exception(error))
            record.exc_info = None
            record.exc_text = None
        return True


class LastResort:
    """The WSGI layer just outside Flask: an exception that still escapes (an error handler or a
    teardown that failed) is logged like any other and answered with the plain English page, so
    the server never prints a traceback with messages nor sends its own page without our headers."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = False

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal started
            started = True
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception as error:
            log.error(
                "Unhandled %s outside the error handlers\n%s",
                type(error).__name__,
                describe_exception(error),
            )
            body = LAST_RESORT_PAGE.encode()
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
            # PEP 3333: exc_info only when a response was started, which it replaces.
            start_response(
                "500 INTERNAL SERVER ERROR", headers, sys.exc_info() if started else None
            )
            return [body]


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.logger.addFilter(WithoutExceptionMessages())


def init_last_resort(app: Flask) -> None:
    app.wsgi_app = LastResort(app.wsgi_app)  # type: ignore[method-assign]
