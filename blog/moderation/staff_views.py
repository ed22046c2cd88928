"""Blueprint for staff pages beside the queue: the dashboard, the audit log, and (admins) moderators."""
from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blog.moderation.accounts import AccountError, create_moderator, disable_moderator, recent_throttling
from blog.moderation.dashboard import bar_chart, reviews_due, site_and_article_stats, sparkline
from blog.extensions import db
from blog.moderation.forms import EmptyForm, ModeratorForm
from blog.moderation.actions import log_query, status_counts
from blog.core.models import Article, CommentStatus, Moderator, utcnow
from blog.core.urls import page_number, parse_id
from blog.mail.sender import failed_mail, mail_counts, retry

bp = Blueprint("staff", __name__)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description=_("Only an admin can do this."))
        return view(*args, **kwargs)
    return wrapped



@bp.get("/dashboard")
def dashboard():
    """Pending count, views and comments over 30 days (site and per article), top articles."""
    views, comments, per_article = site_and_article_stats()
    throttled = recent_throttling(utcnow() - dt.timedelta(days=1)) if current_user.is_admin else []
    return render_template(
        "moderation/dashboard.html", views=views, comments=comments, per_article=per_article,
        views_chart=bar_chart(views, _("Views a day, last 30 days"), key="views"),
        comments_chart=bar_chart(comments, _("Comments a day, last 30 days"), key="comments"),
        pending=status_counts()[CommentStatus.PENDING.value], form=EmptyForm(), sparkline=sparkline,
        throttled=throttled, reviews_due=reviews_due(current_app.config["REVIEW_INTERVAL_DAYS"]),
        review_interval=current_app.config["REVIEW_INTERVAL_DAYS"],
        mail=mail_counts(), failed_mail=failed_mail(),
    )


@bp.post("/mail/<id:mail_id>/retry")
@admin_required
def retry_mail(mail_id: int):
    """An admin sends a failed mail again (waiting again, due now, three more days of attempts)."""
    if not retry(mail_id):
        abort(404, description=_("There is no failed mail with that number: it may have been sent or retried already."))
    flash(_("The mail will be sent again in a moment."), "success")
    return redirect(url_for(".dashboard", _anchor="mail"), code=303)


@bp.get("/log")
def log():
    """The audit log, newest first; filter by moderator and by article."""
    moderator_id = parse_id(request.args.get("moderator"))
    article_id = parse_id(request.args.get("article"))
    number = page_number(request.args.get("page"))
    if number is None:
        abort(404)
    page = db.paginate(log_query(moderator_id, article_id), page=number, per_page=50, max_per_page=200)
    moderators = db.session.execute(db.select(Moderator).order_by(Moderator.name)).scalars().all()
    articles = db.session.execute(db.select(Article).order_by(Article.title)).scalars().all()
    titles = {a.id: a.title for a in articles}
    return render_template("moderation/log.html", page=page, moderators=moderators, articles=articles,
                           titles=titles, moderator_id=moderator_id, article_id=article_id)


@bp.route("/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    """Admins list, add and disable moderators."""
    form = ModeratorForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                added = create_moderator(form.email.data, form.password.data, form.name.data or None,
                                         is_admin=form.is_admin.data)
            except AccountError as exc:
                form.email.errors = [str(exc)]
                status = 400
            else:
                flash(_("Added %(email)s.", email=added.email), "success")
                return redirect(url_for(".moderators"), code=303)
        else:
            status = 400
    everyone = db.session.execute(db.select(Moderator).order_by(Moderator.email)).scalars().all()
    return render_template("moderation/moderators.html", form=form, moderators=everyone,
                           action_form=EmptyForm()), status


@bp.post("/moderators/<id:moderator_id>/disable")
@admin_required
def disable(moderator_id: int):
    moderator = db.get_or_404(Moderator, moderator_id)
    if moderator.id == current_user.id:
        abort(400, description=_("You cannot disable your own account while signed in with it."))
    disable_moderator(moderator.email)
    flash(_("Disabled %(email)s; their sessions have ended.", email=moderator.email), "success")
    return redirect(url_for(".moderators"), code=303)
