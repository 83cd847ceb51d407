"""Settings: defaults, then `instance/config.py`, then environment variables (which win).

The app refuses to start outside debug/testing without a real secret key: a guessable key would let
anyone forge a session cookie and with it a participant's draft or a staff log-in.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from consult.core.paths import translations_dir

# The order languages are offered in: the list, which groups them by the regions people come
# from; any other language with a catalog follows alphabetically.
PREFERRED_ORDER = [
    "en",
    "ar",
    "fa",
    "ps",
    "ur",
    "uk",
    "ru",
    "es",
    "fr",
    "sw",
    "so",
    "ti",
    "tr",
    "ht",
]

INSECURE_DEV_KEY = "dev-only-insecure-key"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": INSECURE_DEV_KEY,
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when not configured
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # Languages offered to participants; each needs a compiled catalog (checked at start-up).
    "CONSULT_LANGUAGES": None,  # None: every language with a catalog in translations/
    "CONSULT_REDIS_URL": None,
    "CONSULT_FREE_TEXT_MAX_CHARS": 2000,
    "CONSULT_DRAFT_LIFETIME": timedelta(hours=48),
    "CONSULT_RECEIPT_RATE_LIMIT": "10 per minute;60 per hour",
    "CONSULT_LOGIN_RATE_LIMIT": "10 per minute;100 per hour",
    "CONSULT_STAFF_IDLE_MINUTES": 30,
    "CONSULT_STAFF_SESSION_HOURS": 12,
    # Secure, __Host- cookies everywhere but in debug/testing; `make run` turns this off explicitly
    # because it serves plain http on 127.0.0.1.
    "CONSULT_SECURE_COOKIES": None,
    # A participant's session holds only the id of their draft; it lives as long as the draft may.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=48),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # No time limit of its own: the token lives as long as the session, so a participant who takes
    # an
    # hour over one answer does not lose it.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 256 * 1024,
}

# Environment variable -> setting. CONSULT_-prefixed names win over the generic ones.
ENVIRONMENT_SETTINGS: list[tuple[str, str]] = [
    ("SECRET_KEY", "SECRET_KEY"),
    ("CONSULT_SECRET_KEY", "SECRET_KEY"),
    ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
    ("CONSULT_DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
    ("CONSULT_REDIS_URL", "CONSULT_REDIS_URL"),
]


def instance_path() -> str | None:
    """The instance folder (local config and the SQLite database): CONSULT_INSTANCE_PATH, else
    Flask's default (`instance/` beside the package in a checkout)."""
    return os.environ.get("CONSULT_INSTANCE_PATH") or None


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres:// or postgresql://)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for variable, setting in ENVIRONMENT_SETTINGS:
            if os.environ.get(variable):
                app.config[setting] = os.environ[variable]
        if os.environ.get("CONSULT_SECURE_COOKIES"):
            app.config["CONSULT_SECURE_COOKIES"] = os.environ["CONSULT_SECURE_COOKIES"]
        languages = os.environ.get("CONSULT_LANGUAGES")
        if languages:
            app.config["CONSULT_LANGUAGES"] = languages.split(",")
    else:
        app.config.update(test_config)

    if not app.config["CONSULT_LANGUAGES"]:
        app.config["CONSULT_LANGUAGES"] = available_languages(
            translations_dir(), app.config["BABEL_DEFAULT_LOCALE"]
        )
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "consult.sqlite3"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite's default pool is right for it; pre-ping only matters for a server.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    _cookie_settings(app)
    _refuse_insecure_secret(app)


def available_languages(translations: Path, default_language: str) -> list[str]:
    found = {p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.po")}
    found.add(default_language)
    ordered = [code for code in PREFERRED_ORDER if code in found]
    return ordered + sorted(found - set(ordered))


def _cookie_settings(app: Flask) -> None:
    secure = app.config["CONSULT_SECURE_COOKIES"]
    if secure is None:
        secure = not (app.debug or app.testing)
    elif isinstance(secure, str):
        secure = secure.lower() not in ("0", "false", "no", "off", "")
    app.config["CONSULT_SECURE_COOKIES"] = secure
    app.config["SESSION_COOKIE_SECURE"] = secure
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, for the whole site
    # and not settable by a sub-domain.
    app.config["SESSION_COOKIE_NAME"] = "__Host-consult" if secure else "consult"
    app.config["REMEMBER_COOKIE_SECURE"] = secure


def _refuse_insecure_secret(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        return
    if key == INSECURE_DEV_KEY or len(key) < 32:
        raise RuntimeError(
            "Consult needs a real SECRET_KEY (32+ random characters) outside debug and testing: "
            "set CONSULT_SECRET_KEY or SECRET_KEY in instance/config.py (make run writes one)."
        )
