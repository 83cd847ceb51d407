"""The staff side: log-in, accounts, moderation, safeguarding, administration and the audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from consult.staff import (  # noqa: E402  (the view modules register their routes on bp)
    access,
    account_views,
    admin_views,
    auth_views,
    moderate_views,
)

bp.before_request(access.enforce_login)

__all__ = ["account_views", "admin_views", "auth_views", "bp", "moderate_views"]
