"""The accounts area under `/staff`: log-in, one's own account, and the administration of staff."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from consult.staff.accounts import (  # noqa: E402  (the view modules register their routes on bp)
    account_views,
    admin_views,
    auth_views,
)

__all__ = ["account_views", "admin_views", "auth_views", "bp"]
