"""Rate limits: views ask for one with `@rate_limited(setting)`; the app applies them at start-up.

Each app gets its own Limiter (Flask-Limiter keeps its storage and key prefix on the Limiter object,
so one module-level Limiter shared by several apps would count in whichever app was set up last).
The counters live in memory, or in Redis when CONSULT_REDIS_URL is set, so that every worker shares
them. Clients are told apart by a keyed hash of their address (`anonymous_client_key`), never the
address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter

F = TypeVar("F", bound=Callable[..., Any])


def rate_limited(setting: str, methods: list[str] | None = None) -> Callable[[F], F]:
    """Mark a view as limited by the limit held in `setting` (for `methods`; None: all)."""

    def mark(view: F) -> F:
        view.rate_limit = (setting, methods)  # type: ignore[attr-defined]
        return view

    return mark


def anonymous_client_key() -> str:
    """Rate-limit key for a client that is not its IP address.

    The limiter's storage (memory or Redis) would otherwise hold participants' IP addresses; a keyed
    hash still tells clients apart for a few minutes but cannot be turned back into an address.
    """
    address = (request.remote_addr or "unknown").encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


def init_rate_limits(app: Flask) -> Limiter:
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("CONSULT_REDIS_URL") or "memory://"
    )
    limiter = Limiter(key_func=anonymous_client_key, default_limits=[], headers_enabled=True)
    limiter.init_app(app)
    for endpoint, view in list(app.view_functions.items()):
        marked = getattr(view, "rate_limit", None)
        if marked is not None:
            setting, methods = marked
            app.view_functions[endpoint] = limiter.limit(app.config[setting], methods=methods)(view)
    app.extensions["consult_limiter"] = limiter
    return limiter
