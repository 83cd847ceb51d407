"""Linking Flask-Login to the server-side staff sessions."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, session

from consult.core.extensions import login_manager
from consult.models import StaffUser
from consult.staff.accounts import sessions

# The name of a session key, not a password (bandit B105 reads it as one).
TOKEN_KEY = "staff_token"  # nosec B105


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["CONSULT_STAFF_IDLE_MINUTES"])


def session_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["CONSULT_STAFF_SESSION_HOURS"])


def load_user(user_id: str) -> StaffUser | None:
    user = sessions.user_for_token(session.get(TOKEN_KEY), idle_timeout(), session_lifetime())
    if user is None or str(user.id) != user_id:
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    # Flask-Login's own protection hashes the IP address and user agent into the session; the server
    # side session already ends on log-out, so it is switched off rather than processing them.
    login_manager.session_protection = None
    login_manager.login_view = "staff.accounts.login"
