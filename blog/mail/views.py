"""Blueprint for the links in readers' mails: confirming reply notices and unsubscribing. Neither
needs an account or a cookie: the link's token is the key. A GET only shows a page with a button
(mail scanners open links); the change is a POST, which a mail provider's one-click unsubscribe
(RFC 8058: a POST with List-Unsubscribe=One-Click) also sends."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _, ngettext

from blog.core.i18n import number
from blog.core.security import not_stored
from blog.extensions import csrf
from blog.mail import notifications
from blog.mail.compose import CONFIRMATION_DAYS

bp = Blueprint("notify", __name__, url_prefix="/notifications")
bp.after_request(not_stored)  # a page reached by a personal link is nobody's to keep


@bp.after_request
def keep_the_link_private(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(state: str, status: int = 200, token: str = "", title: str = "", message: str = ""):
    return render_template("notify.html", state=state, token=token, title=title, message=message), status


def _expired():
    """The page for a confirmation link that no longer works (or was already used)."""
    return _page("expired", 404, title=_("This link has expired or was already used"),
                 message=_("Nothing was changed. If you already confirmed, there is nothing more to do.") + " "
                 + ngettext("A confirmation link works for %(count)s day: to ask again, tick the box when you "
                            "next comment.",
                            "A confirmation link works for %(count)s days: to ask again, tick the box when you "
                            "next comment.", CONFIRMATION_DAYS, count=number(CONFIRMATION_DAYS)))


@bp.get("/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation mail: a page with a button (opening it changes nothing)."""
    if notifications.confirmation_email(token) is None:
        return _expired()
    return _page("confirm", token=token)


@csrf.exempt  # the token in the address is the secret: a forged form cannot know it
@bp.post("/confirm/<token>")
def confirm_post(token: str):
    if not notifications.confirm(token):
        return _expired()
    return _page("confirmed")


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """The link in every reader mail: a page with a button for this conversation and one for everything."""
    if notifications.subscription_for(token) is None:
        return _page("unsubscribed-before")
    return _page("unsubscribe", token=token)


@csrf.exempt  # the token is the secret; mail providers POST here for one-click unsubscribe (RFC 8058)
@bp.post("/unsubscribe/<token>")
def unsubscribe_post(token: str):
    everything = request.form.get("scope") == "everything"
    done = notifications.unsubscribe(token, everything=everything)
    if done is None:
        return _page("unsubscribed-before")
    return _page("unsubscribed-everything" if done == "everything" else "unsubscribed-thread")
