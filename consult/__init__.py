"""Consult: a consultation platform for migrants and refugees.

`create_app()` only assembles the application: settings, extensions, blueprints, commands and error
pages. It makes no network calls and changes no schema; migrations and data loading are CLI
commands.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from consult import paths


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(paths.templates_dir()),
    )
    from consult.config import load_settings

    load_settings(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from consult import models  # noqa: F401  (registers the tables with the metadata)
    from consult.extensions import babel, csrf, db, migrate
    from consult.i18n import select_locale
    from consult.i18n_check import check_catalogs

    db.init_app(app)
    migrate.init_app(app, db, directory=str(paths.migrations_dir()))

    translations = paths.translations_dir()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    check_catalogs(
        translations, app.config["CONSULT_LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]
    )
    babel.init_app(app, locale_selector=select_locale)

    csrf.init_app(app)

    from consult.staff.login_state import init_login

    init_login(app)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from consult.sqlite import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)


def register_blueprints(app: Flask) -> None:
    from consult.participate import bp as participate_bp
    from consult.participate.views import root as root_bp
    from consult.staff import bp as staff_bp
    from consult.templating import LanguageCodeConverter, register_template_helpers

    app.url_map.converters["lang"] = LanguageCodeConverter
    app.register_blueprint(root_bp)
    app.register_blueprint(participate_bp)
    app.register_blueprint(staff_bp)
    register_template_helpers(app)

    from consult.ratelimits import init_rate_limits

    init_rate_limits(app)  # after the blueprints: it wraps their views

    from consult.security_headers import init_security_headers

    init_security_headers(app)


def register_errorhandlers(app: Flask) -> None:
    from consult.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from consult.cli import register

    register(app)
