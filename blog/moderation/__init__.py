"""Everything staff use, under one URL prefix: sign-in, the queue and a comment's page, the dashboard,
the log and accounts (one parent blueprint: its guard, its no-store header and its pending badge in
one place), and the services behind them."""
from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_login import current_user

from blog.core.models import CommentStatus
from blog.core.security import not_stored
from blog.extensions import login_manager
from blog.moderation import queue_views, sign_in, staff_views
from blog.moderation.actions import status_counts

URL_PREFIX = "/moderation"

bp = Blueprint("moderation", __name__, url_prefix=URL_PREFIX)
bp.after_request(not_stored)  # staff pages show commenters' emails: no browser or proxy keeps a copy
for child in (sign_in.bp, queue_views.bp, staff_views.bp):
    bp.register_blueprint(child)


@bp.context_processor
def pending_badge():
    """The pending count, shown on every moderation page (and only there)."""
    if current_user.is_authenticated:
        return {"pending_count": status_counts()[CommentStatus.PENDING.value]}
    return {}


def guard():
    """Every URL under the prefix but the sign-in page needs a signed-in moderator. An app-wide hook
    that runs before CSRF checks, so an anonymous POST is a clean 401 that changes nothing."""
    protected = request.path.startswith(URL_PREFIX) and request.endpoint != "moderation.auth.login"
    if protected and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def init_app(app: Flask) -> None:
    """Call before CSRF is bound, so the guard runs first."""
    app.before_request(guard)
    app.register_blueprint(bp)
