"""Spam defences that need no third party: a honeypot field and a minimum time on the page.

On the participant forms that create data (consent, which starts a draft, and "send my answers"):

- **Honeypot.** A text field (`HONEYPOT_FIELD`) that people never see: hidden by CSS, `aria-hidden`,
  out of the tab order, no autofill, and labelled "leave this empty" for the rare browser that
  shows it. A form that comes back with it filled was filled by a script. The answer mimics
  success (the redirect a person would get) and nothing is stored.
- **Minimum time.** The page carries a signed timestamp (`STAMP_FIELD`: when the form was shown,
  signed with the secret key, holding nothing about the person, no address). A form sent back
  sooner than CONSULT_SPAM_MIN_SECONDS after it was shown, or without a valid stamp, was not read
  by a person. The answer is the same page again, with what was typed and a fresh stamp, and no
  message: a person who was quick just presses the button again; nothing is stored meanwhile.

Each stop is counted in the process (`stopped_counts`) and logged as one line with the reason and
the form only ("spam defence: honeypot on consent"), never an address, a user agent or a field's
content. These add to the rate limits (consult/core/ratelimits.py); they stop careless scripts, not
a determined person, who could wait and leave the field empty (docs/decisions.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
STAMP_FIELD = "form_shown"
DEFAULT_MIN_SECONDS = 2
_SALT = "consult.participation.spam.form-shown"

HONEYPOT = "honeypot"
TOO_FAST = "too-fast"

_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()


def min_seconds() -> int:
    return current_app.config["CONSULT_SPAM_MIN_SECONDS"]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def form_stamp(purpose: str) -> str:
    """The signed "shown at" stamp for a form (`purpose`: which form, so one form's stamp does
    not pass another's check)."""
    return _serializer().dumps(purpose)


def seconds_since_shown(stamp: str, purpose: str, now: float | None = None) -> float | None:
    """How long ago the stamp was made for `purpose`; None when it is missing, forged or for
    another form."""
    if not stamp:
        return None
    try:
        signed_for, shown_at = _serializer().loads(stamp, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        return None
    if signed_for != purpose:
        return None
    return (now if now is not None else time.time()) - shown_at.timestamp()


def trapped(purpose: str) -> str | None:
    """Why the current request's form looks sent by a script (HONEYPOT, TOO_FAST), or None.

    A stop is counted and logged here (reason and form only)."""
    reason = None
    if request.form.get(HONEYPOT_FIELD, ""):
        reason = HONEYPOT
    elif min_seconds() > 0:
        age = seconds_since_shown(request.form.get(STAMP_FIELD, ""), purpose)
        if age is None or age < min_seconds():
            reason = TOO_FAST
    if reason is not None:
        with _counts_lock:
            _counts[reason] += 1
        log.warning("spam defence: %s on %s", reason, purpose)
    return reason


def stopped_counts() -> dict[str, int]:
    """Forms stopped by each defence in this process since it started."""
    with _counts_lock:
        return dict(_counts)
