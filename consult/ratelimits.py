"""Rate limits: which views are limited, how much, and where the counters live.

Each app gets its own Limiter (Flask-Limiter keeps its storage and key prefix on the Limiter object,
so one module-level Limiter shared by several apps would count in whichever app was set up last).
The counters live in memory, or in Redis when CONSULT_REDIS_URL is set, so that every worker shares
them. Clients are told apart by a keyed hash of their address (`anonymous_client_key`), never the
address.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from consult.extensions import anonymous_client_key

# endpoint -> (setting that holds the limit, methods it applies to; None for all)
LIMITED_VIEWS: dict[str, tuple[str, list[str] | None]] = {
    "participate.receipt_lookup": ("CONSULT_RECEIPT_RATE_LIMIT", ["POST"]),
    "participate.receipt": ("CONSULT_RECEIPT_RATE_LIMIT", None),
    "participate.delete": ("CONSULT_RECEIPT_RATE_LIMIT", None),
    "staff.login": ("CONSULT_LOGIN_RATE_LIMIT", ["POST"]),
    "staff.second_factor": ("CONSULT_LOGIN_RATE_LIMIT", ["POST"]),
}


def init_rate_limits(app: Flask) -> Limiter:
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("CONSULT_REDIS_URL") or "memory://"
    )
    limiter = Limiter(key_func=anonymous_client_key, default_limits=[], headers_enabled=True)
    limiter.init_app(app)
    for endpoint, (setting, methods) in LIMITED_VIEWS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(app.config[setting], methods=methods)(view)
    app.extensions["consult_limiter"] = limiter
    return limiter
