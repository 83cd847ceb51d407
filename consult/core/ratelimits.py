"""Rate limits: views ask for them with `@rate_limited(setting)`; the app applies them at start-up.

Each app gets its own Limiter (Flask-Limiter keeps its storage and key prefix on the Limiter object,
so one module-level Limiter shared by several apps would count in whichever app was set up last).
The counters live in memory, or in Redis when CONSULT_REDIS_URL is set, so that every worker shares
them. A limit is counted per client address, or per some other text a view names (a receipt code);
either way the counters hold a keyed hash of it (`anonymous_client_key`, `anonymous_key`), never
the address or the code.

Behind reverse proxies the client address is the one they report (CONSULT_TRUSTED_PROXIES, applied
in the factory with Werkzeug's ProxyFix); without that setting their headers are ignored, since
anyone can send them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter

F = TypeVar("F", bound=Callable[..., Any])


class RateLimitMark(NamedTuple):
    setting: str  # the app.config key holding the limit, e.g. "10 per minute;60 per hour"
    methods: list[str] | None  # None: every method
    per: Callable[[], str] | None  # what is counted; None: the client address


def rate_limited(
    setting: str, methods: list[str] | None = None, per: Callable[[], str] | None = None
) -> Callable[[F], F]:
    """Mark a view as limited by the limit held in `setting` (for `methods`; None: all).

    The limit counts requests per client address, or per the text `per()` returns for the request
    (such as the receipt code it asks about). A view may carry several marks; each is its own limit.
    """

    def mark(view: F) -> F:
        marks = getattr(view, "rate_limits", ())
        view.rate_limits = (*marks, RateLimitMark(setting, methods, per))  # type: ignore[attr-defined]
        return view

    return mark


def _keyed_hash(text: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:24]


def anonymous_client_key() -> str:
    """Rate-limit key for a client that is not its IP address.

    The limiter's storage (memory or Redis) would otherwise hold participants' IP addresses; a keyed
    hash still tells clients apart for a few minutes but cannot be turned back into an address.
    """
    return _keyed_hash(request.remote_addr or "unknown")


def anonymous_key(per: Callable[[], str]) -> Callable[[], str]:
    """Rate-limit key function counting per `per()`, kept as a keyed hash (never the text)."""
    return lambda: _keyed_hash(f"{per.__qualname__}:{per()}")


def init_rate_limits(app: Flask) -> Limiter:
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("CONSULT_REDIS_URL") or "memory://"
    )
    # Redis down: each process counts in its own memory until Redis answers again (the limits
    # loosen by the number of processes), rather than every limited page failing.
    limiter = Limiter(
        key_func=anonymous_client_key,
        default_limits=[],
        headers_enabled=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    for endpoint, view in list(app.view_functions.items()):
        limited = view
        for mark in getattr(view, "rate_limits", ()):
            key = anonymous_client_key if mark.per is None else anonymous_key(mark.per)
            limit = limiter.limit(app.config[mark.setting], methods=mark.methods, key_func=key)
            limited = limit(limited)
        app.view_functions[endpoint] = limited
    _check_only_limited_views(app, limiter)
    app.extensions["consult_limiter"] = limiter
    return limiter


def _check_only_limited_views(app: Flask, limiter: Limiter) -> None:
    """Drop Flask-Limiter's check before every request when it has nothing to check there.

    That hook applies default, application-wide and blueprint limits; a view's own limit (our only
    kind: `rate_limited`) is checked by the wrapper `limiter.limit` put around the view, and the
    hook leaves it to that wrapper. With none of the others configured the hook only looked the
    view up on every request (3% of a participant page).
    """
    manager = limiter.limit_manager
    if manager._default_limits or manager._application_limits or manager._blueprint_limits:
        return  # configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION, a limited blueprint)
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [
        hook for hook in hooks if hook != limiter._check_request_limit
    ]
