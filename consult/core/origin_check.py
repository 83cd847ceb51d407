"""Refuse forms sent from another site, without needing the Referer header.

Pages are served with `Referrer-Policy: no-referrer`, so browsers send no Referer at all, not even
to this site: an address can hold a consultation slug or a receipt lookup, and nothing of where a
participant has been should travel. Flask-WTF's https check, which demands a same-site Referer
(`WTF_CSRF_SSL_STRICT`), is therefore off (core/config.py), and this check takes its place, on top
of the CSRF token (which stays required on every form) and SameSite=Lax cookies:

- `Sec-Fetch-Site` (sent by every current browser): a form is accepted from `same-origin`, or
  `none` (typed or bookmarked); `same-site` and `cross-site` are refused.
- Without it, `Origin`: refused when it names another origin. Under `no-referrer` browsers send
  `Origin: null` with forms, which proves nothing either way and is left to the token.
- Neither header (an old browser, a script, the tests' client): the token decides, as before.

A refusal is the plain 400 page: it never offers to send the form again, since what it holds came
from another site.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from consult.core.errors import error_page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ACCEPTED_FETCH_SITES = frozenset({"same-origin", "none"})


def sent_from_elsewhere() -> bool:
    if request.method in SAFE_METHODS:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ACCEPTED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is None or origin.strip() == "null":
        return False
    return origin.rstrip("/") != request.host_url.rstrip("/")


def refuse_forms_from_elsewhere() -> Response | tuple[str, int] | None:
    if sent_from_elsewhere():
        return error_page(400)
    return None


def init_origin_check(app: Flask) -> None:
    # Registered before the CSRF extension's own check runs, so that a form from elsewhere is
    # refused the same way whether or not it carried a token.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_forms_from_elsewhere)
