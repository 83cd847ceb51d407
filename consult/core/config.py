"""Settings: defaults, then `instance/config.py`, then environment variables (which win).

Every setting an operator can change is declared once, in SETTINGS, with its type, default and
meaning; one loader reads each from its environment variable and turns the text into that type. A
value that does not parse stops start-up with a message naming the variable. A dict passed to
`create_app` (the tests do this) replaces the file and the environment.

The app refuses to start outside debug/testing without a real secret key: a guessable key would let
anyone forge a session cookie and with it a participant's draft or a staff log-in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

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


class SettingsError(RuntimeError):
    """A setting has a value Consult cannot use: start-up stops and says which one."""


# --- types: each turns a variable's text into the value the app uses, or raises ValueError --------

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def text(raw: str) -> str:
    return raw


def whole_number(raw: str) -> int:
    word = raw.strip()
    if not word.isdecimal() or int(word) < 1:
        raise ValueError("expected a whole number of 1 or more")
    return int(word)


def count(raw: str) -> int:
    word = raw.strip()
    if not (word.isascii() and word.isdigit()):
        raise ValueError("expected a whole number of 0 or more")
    return int(word)


def yes_no(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("expected one of " + "/".join(TRUE_WORDS + FALSE_WORDS))


def comma_list(raw: str) -> list[str]:
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ValueError("expected a comma-separated list")
    return items


def rate_limits(raw: str) -> str:
    """Flask-Limiter's notation, e.g. "10 per minute;60 per hour"; checked now, not on first use."""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError('expected limits such as "10 per minute;60 per hour"') from None
    return raw


def external_url(raw: str) -> str:
    """The address people reach the app at: scheme and host (and port), nothing more."""
    from urllib.parse import urlsplit

    expected = "expected the scheme and host only, such as https://consult.example.org"
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError(expected) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(expected)
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(expected)
    return f"{parts.scheme}://{parts.netloc}"


def translation_provider(raw: str) -> str:
    from consult.translation.providers import PROVIDER_NAMES

    word = raw.strip().lower()
    if word not in PROVIDER_NAMES:
        raise ValueError("expected one of " + ", ".join(PROVIDER_NAMES))
    return word


def http_url(raw: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError("expected an address such as http://127.0.0.1:5000") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an address such as http://127.0.0.1:5000")
    return raw.strip()


def database_url(raw: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(raw)
    except ArgumentError:
        raise ValueError("expected a database URL such as postgresql://user@host/consult") from None
    return raw


# --- the settings ------------------------------------------------------------------------------


class Setting(NamedTuple):
    type: Callable[[str], Any]
    default: Any
    doc: str
    key: str | None = None  # the app.config key, when it is not the variable's own name
    aliases: tuple[str, ...] = ()  # generic variable names also read; the CONSULT_ one wins


SETTINGS: dict[str, Setting] = {
    "CONSULT_SECRET_KEY": Setting(
        text,
        INSECURE_DEV_KEY,
        "signs sessions; required (32+ characters) outside debug",
        key="SECRET_KEY",
        aliases=("SECRET_KEY",),
    ),
    "CONSULT_DATABASE_URL": Setting(
        database_url,
        None,  # filled in from the instance folder: SQLite beside instance/config.py
        "SQLAlchemy URL; postgres:// and postgresql:// use psycopg 3",
        key="SQLALCHEMY_DATABASE_URI",
        aliases=("DATABASE_URL",),
    ),
    "CONSULT_INSTANCE_PATH": Setting(
        text,
        None,  # Flask's default: instance/ beside the package in a checkout
        "folder of config.py and the default SQLite database; environment only",
    ),
    # Links the app hands out (invitations) are built from this, never from the request's Host
    # header, which anyone can set. Required outside debug and testing (tests: http://localhost).
    "CONSULT_EXTERNAL_URL": Setting(
        external_url, None, "the address people use, e.g. https://consult.example.org"
    ),
    "CONSULT_REDIS_URL": Setting(
        text,
        None,
        "Redis for rate limits shared by every worker and the jobs' queue; unset: in process",
    ),
    "CONSULT_LANGUAGES": Setting(
        comma_list,
        None,  # every language with a catalog in translations/
        "interface languages offered; each needs a compiled catalog (checked at start-up)",
    ),
    # Secure, __Host- cookies everywhere but in debug/testing; `make run` turns this off explicitly
    # because it serves plain http on 127.0.0.1.
    "CONSULT_SECURE_COOKIES": Setting(
        yes_no, None, "Secure cookies with the __Host- prefix; unset: on except in debug"
    ),
    "CONSULT_FREE_TEXT_MAX_CHARS": Setting(
        whole_number, 2000, "longest free-text answer a participant can send"
    ),
    "CONSULT_DRAFT_LIFETIME_HOURS": Setting(
        whole_number,
        48,
        "hours an unsubmitted draft (and the participant's cookie) is kept after its last change",
    ),
    # Two limits on receipt look-ups and deletions (docs/decisions.md, "Security fixes (issue 8)"):
    # tight per receipt code, loose per client address, because a camp or a phone network puts many
    # people behind one address.
    "CONSULT_RECEIPT_RATE_LIMIT": Setting(
        rate_limits, "10 per minute;60 per hour", "receipt look-ups and deletions per receipt code"
    ),
    "CONSULT_RECEIPT_ADDRESS_RATE_LIMIT": Setting(
        rate_limits,
        "60 per minute;600 per hour",
        "receipt look-ups and deletions per client address, whatever the code",
    ),
    "CONSULT_LOGIN_RATE_LIMIT": Setting(
        rate_limits, "10 per minute;100 per hour", "staff log-in attempts per client"
    ),
    # The spam defences' minimum time on a form (consult/participation/spam.py); unset: 2 seconds,
    # 0 (off) in testing, where forms are sent the moment they are loaded.
    "CONSULT_SPAM_MIN_SECONDS": Setting(
        count, None, "seconds a consent or send form must be on screen before it is accepted"
    ),
    "CONSULT_TRUSTED_PROXIES": Setting(
        count,
        0,
        "reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed; 0: none",
    ),
    "CONSULT_STAFF_IDLE_MINUTES": Setting(
        whole_number, 30, "a staff session ends after this many minutes without a request"
    ),
    "CONSULT_STAFF_SESSION_HOURS": Setting(
        whole_number, 12, "a staff session ends this many hours after log-in"
    ),
    # Machine drafts of approved answers and of content (docs/decisions.md, "Translation (issue
    # 10): providers and jobs"). Off by default: nothing leaves the server unless an operator asks.
    "CONSULT_TRANSLATION_PROVIDER": Setting(
        translation_provider, "manual", "manual (no machine drafts), libretranslate or argos"
    ),
    "CONSULT_LIBRETRANSLATE_URL": Setting(
        http_url, None, "the LibreTranslate server's address; required with libretranslate"
    ),
    "CONSULT_LIBRETRANSLATE_API_KEY": Setting(
        text, None, "the API key sent to LibreTranslate, when the server asks for one"
    ),
    "CONSULT_TRANSLATION_TIMEOUT": Setting(
        whole_number, 10, "seconds to wait for the translation provider on each call"
    ),
}

# Flask and extension settings that are not for operators to change.
FIXED_DEFAULTS: dict[str, Any] = {
    # Database errors and statement logs never quote parameters (participant text): see
    # `load_settings`, which keeps hide_parameters whatever engine options are configured.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # No time limit of its own: the token lives as long as the session, so a participant who takes
    # an hour over one answer does not lose it.
    "WTF_CSRF_TIME_LIMIT": None,
    # Pages send no Referer (Referrer-Policy: no-referrer), so Flask-WTF's https Referer check would
    # refuse every form; core/origin_check.py refuses forms from other sites instead.
    "WTF_CSRF_SSL_STRICT": False,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # The RQ queue's name (consult/jobs.py); tests use one of their own on the shared Redis.
    "JOBS_QUEUE": "consult",
}


def config_key(name: str) -> str:
    return SETTINGS[name].key or name


DEFAULTS: dict[str, Any] = {
    **FIXED_DEFAULTS,
    **{config_key(name): setting.default for name, setting in SETTINGS.items()},
}


def from_environment(name: str) -> Any:
    """The typed value of setting `name` from the environment, or None when unset (or empty)."""
    setting = SETTINGS[name]
    for variable in (name, *setting.aliases):  # the CONSULT_ name first: it wins
        raw = os.environ.get(variable)
        if raw:
            return _parse(variable, setting, raw)
    return None


def _parse(where: str, setting: Setting, raw: str) -> Any:
    # The value is not repeated in the message: it may be a secret or a URL with a password.
    try:
        return setting.type(raw)
    except ValueError as problem:
        raise SettingsError(f"Consult cannot start: {where} is not valid: {problem}.") from None


def instance_path() -> str | None:
    """The instance folder (local config and the SQLite database): CONSULT_INSTANCE_PATH, else
    Flask's default (`instance/` beside the package in a checkout)."""
    return from_environment("CONSULT_INSTANCE_PATH")


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
        for name in SETTINGS:
            value = from_environment(name)
            if value is not None:
                app.config[config_key(name)] = value
    else:
        app.config.update(test_config)
    # Text from instance/config.py (or a test) is read the way the environment's is; empty is unset.
    for name, setting in SETTINGS.items():
        key = config_key(name)
        value = app.config.get(key)
        if isinstance(value, str):
            app.config[key] = _parse(key, setting, value) if value else setting.default

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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "hide_parameters": True,
    }
    # A participant's session holds only the id of their draft; it lives as long as the draft may.
    app.config["PERMANENT_SESSION_LIFETIME"] = draft_lifetime(app.config)

    if app.config["CONSULT_SPAM_MIN_SECONDS"] is None:
        app.config["CONSULT_SPAM_MIN_SECONDS"] = 0 if app.testing else 2
    _cookie_settings(app)
    _refuse_insecure_secret(app)
    _require_external_url(app)
    _require_libretranslate_url(app)


def _require_libretranslate_url(app: Flask) -> None:
    if (
        app.config["CONSULT_TRANSLATION_PROVIDER"] == "libretranslate"
        and not app.config["CONSULT_LIBRETRANSLATE_URL"]
    ):
        raise SettingsError(
            "Consult cannot start: CONSULT_TRANSLATION_PROVIDER is libretranslate but "
            "CONSULT_LIBRETRANSLATE_URL (the server's address) is not set."
        )


def draft_lifetime(config: Mapping[str, Any]) -> timedelta:
    """How long a draft is kept after its last change (CONSULT_DRAFT_LIFETIME_HOURS)."""
    return timedelta(hours=config["CONSULT_DRAFT_LIFETIME_HOURS"])


def available_languages(translations: Path, default_language: str) -> list[str]:
    found = {p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.po")}
    found.add(default_language)
    ordered = [code for code in PREFERRED_ORDER if code in found]
    return ordered + sorted(found - set(ordered))


def _cookie_settings(app: Flask) -> None:
    secure = app.config["CONSULT_SECURE_COOKIES"]
    if secure is None:
        secure = not (app.debug or app.testing)
    app.config["CONSULT_SECURE_COOKIES"] = secure
    app.config["SESSION_COOKIE_SECURE"] = secure
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, for the whole site
    # and not settable by a sub-domain.
    app.config["SESSION_COOKIE_NAME"] = "__Host-consult" if secure else "consult"
    app.config["REMEMBER_COOKIE_SECURE"] = secure


def _require_external_url(app: Flask) -> None:
    if app.config["CONSULT_EXTERNAL_URL"] or app.debug:
        return  # in debug, links follow the request (a developer's own machine)
    if app.testing:
        app.config["CONSULT_EXTERNAL_URL"] = "http://localhost"
        return
    raise SettingsError(
        "Consult cannot start: set CONSULT_EXTERNAL_URL to the address people use to reach it "
        "(such as https://consult.example.org). Links it hands out, such as invitations, are built "
        "from it, never from the Host header of a request."
    )


def _refuse_insecure_secret(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        return
    if key == INSECURE_DEV_KEY or len(key) < 32:
        raise RuntimeError(
            "Consult needs a real SECRET_KEY (32+ random characters) outside debug and testing: "
            "set CONSULT_SECRET_KEY or SECRET_KEY in instance/config.py (make run writes one)."
        )
