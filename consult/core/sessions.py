"""The signed session cookie, written again only when it changed or when a form is sent.

A participant's session is permanent: its cookie lives as long as their draft may
(PERMANENT_SESSION_LIFETIME = CONSULT_DRAFT_LIFETIME_HOURS), and a draft lives that long after its
last change (`participation.operations.renew_draft`). Flask would sign and send the cookie again on
every response of a permanent session, to push its expiry back; that costs a serialisation and an
HMAC on every page (8% of a question page). A page that is only read changes nothing in the draft,
so it need not move the cookie's expiry either: here the cookie is sent again when the session
changed (Flask's rule) or, for a permanent session, when the request may change something (any
method but GET, HEAD and OPTIONS), which includes every save that renews the draft. The cookie
therefore still ends no sooner than the draft it points to.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

READ_ONLY = frozenset(("GET", "HEAD", "OPTIONS"))


class ConsultSessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        return (
            session.permanent
            and app.config["SESSION_REFRESH_EACH_REQUEST"]
            and request.method not in READ_ONLY
        )


def init_sessions(app: Flask) -> None:
    app.session_interface = ConsultSessionInterface()
