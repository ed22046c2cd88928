"""Moderator sign-in and sign-out, the session loader, and the guard on every /moderation/ URL."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext

from blog.core.i18n import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from blog.moderation.accounts import LoginThrottled, Throttle, authenticate, log_out
from blog.core.sql import columns
from blog.perf.hot_connection import hot_fetchall
from blog.extensions import login_manager
from blog.moderation.forms import LoginForm
from blog.core.models import Moderator
from blog.core.privacy import client_address
from blog.core.urls import safe_next
from blog.readers.visitors import STAFF_SESSION

bp = Blueprint("auth", __name__)

BAD_LOGIN = _l("That email and password do not match an active moderator account.")


@dataclass(frozen=True, slots=True)
class SignedInModerator:
    """current_user for a signed-in moderator: what the pages and the audit log use, read with one
    plain SQL statement on every staff request (loading the ORM object was a third of the queue
    page's time, bench/run). Services that change the account load the Moderator row themselves."""

    id: int
    email: str
    name: str
    is_admin: bool
    session_generation: int
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"


_SESSION_MODERATOR = (f"SELECT {columns(Moderator, ('id', 'email', 'name', 'is_admin', 'session_generation'))} "
                      f"FROM {Moderator.__tablename__} "
                      f"WHERE id = :id AND session_generation = :generation AND NOT disabled")


@login_manager.user_loader
def load_moderator(session_id: str) -> SignedInModerator | None:
    """The moderator of a session id 'id:generation', only while that generation is current and the
    account is not disabled (so signing out everywhere or disabling revokes at once)."""
    moderator_id, _sep, generation = session_id.partition(":")
    if not (moderator_id.isdigit() and generation.isdigit()):
        return None
    for id_, email, name, is_admin, current in hot_fetchall(
            _SESSION_MODERATOR, {"id": int(moderator_id), "generation": int(generation)}):
        return SignedInModerator(id_, email, name, bool(is_admin), current)
    return None


@login_manager.unauthorized_handler
def unauthorized():
    """No session: a page request goes to the sign-in page, anything else is refused."""
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("moderation.auth.login", next=request.full_path.rstrip("?")))
    abort(401)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in. The same answer for an unknown email and a wrong password; throttled per account and client."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            config = current_app.config
            moderator = authenticate(
                form.email.data, form.password.data, client_address(),
                secret=config["SECRET_KEY"].encode(),
                throttle=Throttle(config["LOGIN_MAX_FAILURES"], dt.timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])),
            )
        except LoginThrottled:
            return render_template("moderation/login.html", form=form, next=next_url,
                                   error=ngettext("Too many failed sign-ins. Please wait %(num)s minute and try again.",
                                                  "Too many failed sign-ins. Please wait %(num)s minutes and try again.",
                                                  config["LOGIN_THROTTLE_MINUTES"])), 429  # flask_babel fills %(num)s
        if moderator is not None:
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(moderator)
            session[STAFF_SESSION] = True
            return redirect(next_url or url_for("moderation.queue.index"), code=303)
        return render_template("moderation/login.html", form=form, next=next_url, error=str(BAD_LOGIN)), 401
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/login.html", form=form, next=next_url), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: every session of this moderator ends, copied cookies included."""
    log_out(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("moderation.auth.login"), code=303)
