"""Consult: a consultation platform for migrants and refugees.

`create_app()` only assembles the application: settings, extensions, blueprints, commands, error
pages and the WSGI layers around it. It makes no network calls and changes no schema; migrations
and data loading are CLI commands.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from consult.core import paths


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from consult.core.config import instance_path, load_settings

    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path(),
        template_folder=str(paths.templates_dir()),
    )
    load_settings(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_middleware(app)
    return app


def register_extensions(app: Flask) -> None:
    from consult.core.database import init_database
    from consult.core.extensions import csrf
    from consult.core.origin_check import init_origin_check
    from consult.core.sessions import init_sessions
    from consult.i18n.selection import init_babel
    from consult.staff.accounts.login_state import init_login
    from consult.themes.operations import init_themes
    from consult.translation.machine import init_machine_translation

    init_database(app)
    init_sessions(app)  # the session cookie written again only when needed (core/sessions.py)
    init_babel(app)
    csrf.init_app(app)
    init_origin_check(app)  # forms from other sites refused by Sec-Fetch-Site/Origin, not Referer
    init_login(app)
    init_machine_translation(app)  # approvals queue machine drafts (consult/jobs.py)
    init_themes(app)  # approvals and saved translations queue a themes recomputation


def register_blueprints(app: Flask) -> None:
    from consult.audit.views import bp as audit_bp
    from consult.authoring.views import bp as authoring_bp
    from consult.consultations.views import bp as content_bp
    from consult.core.health import bp as health_bp
    from consult.core.ratelimits import init_rate_limits
    from consult.core.routing import init_routing
    from consult.core.templating import init_templating
    from consult.moderation.views import bp as moderation_bp
    from consult.outcomes.results import bp as results_bp
    from consult.outcomes.views import bp as outcomes_bp
    from consult.participation.fragments import init_fragments
    from consult.participation.views import bp as participation_bp
    from consult.participation.views import root as root_bp
    from consult.staff import staff_blueprint
    from consult.staff.accounts.blueprint import bp as accounts_bp
    from consult.summaries.views import bp as summaries_bp
    from consult.themes.views import bp as themes_bp
    from consult.translation.views import bp as translation_bp

    init_routing(app)  # before any route: the `int` converter every route uses
    init_templating(app)
    init_fragments(app)  # parts of participant pages rendered once per worker
    app.register_blueprint(root_bp)
    app.register_blueprint(health_bp)  # /healthz, /readyz (public, read-only)
    app.register_blueprint(participation_bp)
    app.register_blueprint(results_bp)  # /<lang>/c/<slug>/results once published
    areas = [accounts_bp, moderation_bp, translation_bp, audit_bp, authoring_bp]
    areas.append(summaries_bp)  # /staff/c/<slug>/ dashboard and report
    areas.append(outcomes_bp)  # /staff/c/<slug>/export..., /outcome..., /publish
    areas.append(content_bp)  # /staff/c/<slug>/languages, /preview, /export.yaml; /staff/c/import
    areas.append(themes_bp)  # /staff/c/<slug>/themes/<recommendation id>
    app.register_blueprint(staff_blueprint(areas))
    init_rate_limits(app)  # after the blueprints: it wraps the views that ask for a limit


def register_errorhandlers(app: Flask) -> None:
    from consult.core.errors import init_error_pages

    init_error_pages(app)


def register_commands(app: Flask) -> None:
    from consult.cli import register

    register(app)


def register_middleware(app: Flask) -> None:
    """WSGI layers around Flask, from the inside out: the trusted proxies' headers, the last-resort
    error page, then the security headers, so that every response gets them."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from consult.core.errors import init_last_resort
    from consult.core.security_headers import init_security_headers

    proxies = app.config["CONSULT_TRUSTED_PROXIES"]
    if proxies:
        # The client address and scheme as the nearest `proxies` proxies report them. The host is
        # not taken from them: links that leave the site are built from configuration.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    init_last_resort(app)
    init_security_headers(app)
