"""Blueprint for moderators: the queue, actions on comments, one comment's page (edit, clinic reply)."""
from __future__ import annotations

from typing import NamedTuple

from flask import (
    Blueprint, abort, current_app, flash, get_flashed_messages, redirect, render_template, request, url_for,
)
from flask_babel import get_locale, gettext as _
from blog.core.i18n import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from blog.core.i18n import comments_text
from blog.extensions import db
from blog.perf.form_tokens import form_token
from blog.moderation.forms import EmptyForm, ModerationBodyForm
from blog.perf.page_cache import HoledPage, hole, queue_items, queue_pages
from blog.moderation.actions import (
    STATUS_ACTIONS, action_label, approve_with_redaction, delete_forever, edit_body, queue_count, reply_as_clinic,
    set_comments_open, set_status, status_counts, status_label,
)
from blog.core.models import Comment, CommentStatus
from blog.core.rules import flag_label
from blog.moderation.queue_rows import flag_list, queue_page
from blog.perf.shared_pages import cache_key
from blog.core.urls import page_number, parse_id, safe_next

bp = Blueprint("queue", __name__)
for _filter in (queue_count, action_label, status_label, flag_label):
    bp.add_app_template_filter(_filter)

TABS = [s.value for s in CommentStatus]
DONE = {"approve": _l("Approved"), "reject": _l("Rejected"), "spam": _l("Marked as spam"),
        "restore": _l("Moved back to pending"), "delete": _l("Deleted"),
        "redact": _l("Approved with personal details removed")}


class StatusText(NamedTuple):
    """What the pages say about one status: its tab, its queue's title, its empty queue, the way back."""

    tab: str
    title: str
    empty: str
    back: str


STATUS_TEXT = {
    CommentStatus.PENDING.value: StatusText(
        _l("Pending"), _l("Pending comments"), _l("Nothing is waiting: every comment has been handled."),
        _l("Back to the pending comments")),
    CommentStatus.APPROVED.value: StatusText(
        _l("Approved"), _l("Approved comments"), _l("No approved comments."), _l("Back to the approved comments")),
    CommentStatus.SPAM.value: StatusText(
        _l("Spam"), _l("Spam comments"), _l("No spam comments."), _l("Back to the spam comments")),
    CommentStatus.REJECTED.value: StatusText(
        _l("Rejected"), _l("Rejected comments"), _l("No rejected comments."), _l("Back to the rejected comments")),
}


def _done(action: str, count: int) -> str:
    """The message after an action, for example "Approved: 2 comments." """
    return _("%(done)s: %(comments)s.", done=DONE[action], comments=comments_text(count))


def _back(default_status: str = "pending") -> str:
    return safe_next(request.form.get("back")) or url_for(".index", status=default_status)


@bp.get("/")
def index():
    """The queue: a tab per status with counts; pending oldest first; 25 a page.

    Rendered once per distinct content in each worker: the key holds every row shown, the
    counts, the page and the moderator, so any change anywhere gives a new page; the form token
    is filled in per request. A page with a message to show once is rendered fresh."""
    status = request.args.get("status", CommentStatus.PENDING.value)
    if status not in TABS:
        abort(404)
    counts = status_counts()
    number = page_number(request.args.get("page"))
    page = number and queue_page(status, number, current_app.config["MODERATION_PER_PAGE"], total=counts[status])
    if not page:
        abort(404)
    if get_flashed_messages():  # read once per request: the template gets the same messages
        return _render_queue(page, status, counts)
    key = cache_key("queue", str(get_locale()), current_user.get_id(), current_user.name, current_user.is_admin,
                    request.full_path, status, tuple(counts.items()), page.page, tuple(tuple(row) for row in page.items))
    cached = queue_pages.get_or_render(key, lambda: HoledPage(_render_queue(page, status, counts, holes=True)))
    return cached.fill({"csrf": form_token()})


def _render_queue(page, status: str, counts: dict[str, int], holes: bool = False) -> str:
    token = {"csrf_token": lambda: hole("csrf")} if holes else {}
    return render_template("moderation/queue.html", page=page, status=status, counts=counts, tabs=TABS,
                           status_text=STATUS_TEXT, form=EmptyForm(), items_html=[_item_html(row) for row in page.items], **token)


def _item_html(row) -> Markup:
    """One queue item, rendered once per distinct row (see blog.moderation.queue_rows) in each worker."""
    key = cache_key("queue-item", str(get_locale()), tuple(row))
    return Markup(queue_items.get_or_render(key, lambda: render_template(
        "moderation/_item.html", c=row, flags=flag_list(row.flags))))


def _selected_action() -> tuple[str, list[int]]:
    """From the queue form: a per-item button ("approve:12"), or a bulk action over the checked boxes."""
    one = request.form.get("one", "")
    if one:
        action, _sep, comment_id = one.partition(":")
        ids = [parse_id(comment_id)]
    else:
        action = request.form.get("action", "")
        ids = [parse_id(i) for i in request.form.getlist("ids")]
    if None in ids:
        abort(400, description=_("That comment number is not valid. Go back to the queue and choose again."))
    return action, ids


@bp.post("/comments")
def act():
    """Approve, reject, mark spam, restore (at once) or delete (after a confirmation page)."""
    form = EmptyForm()
    action, ids = _selected_action()
    if action not in STATUS_ACTIONS and action not in ("delete", "redact"):
        abort(400, description=_("Choose what to do with the selected comments."))
    if not ids:
        flash(_("Select at least one comment first."), "error")
        return redirect(_back(), code=303)
    if action == "delete":
        comments = db.session.execute(db.select(Comment).where(Comment.id.in_(ids))).scalars().all()
        return render_template("moderation/confirm_delete.html", comments=comments, form=form,
                               back=_back())
    if action == "redact":
        changed = approve_with_redaction(ids, current_user, current_app.config["PHONE_REGION"])
        flash(_done(action, changed), "success")
        return redirect(_back(), code=303)
    changed = set_status(ids, action, current_user)
    flash(_done(action, changed), "success")
    return redirect(_back(), code=303)


@bp.post("/comments/delete")
def delete_confirmed():
    """The second step of delete forever."""
    ids = [parse_id(i) for i in request.form.getlist("ids")]
    if request.form.get("confirm") != "yes" or not ids or None in ids:
        abort(400, description=_("Deleting needs the confirmation button."))
    removed = delete_forever(ids, current_user)
    flash(_("Deleted forever: %(comments)s.", comments=comments_text(removed)), "success")
    return redirect(_back(), code=303)


def _comment_or_404(comment_id: int) -> Comment:
    return db.get_or_404(Comment, comment_id)


@bp.get("/comments/<id:comment_id>")
def comment(comment_id: int):
    """One comment: its thread, an edit box, the clinic's reply box and the actions."""
    return _comment_page(_comment_or_404(comment_id))


def _comment_page(comment: Comment, edit_form=None, reply_form=None, status: int = 200):
    """One comment's page; a form that failed validation is shown again with its errors."""
    edit_form = edit_form or ModerationBodyForm(prefix="edit", data={"body": comment.body_raw})
    reply_form = reply_form or ModerationBodyForm(prefix="reply")
    return render_template("moderation/comment.html", comment=comment, edit_form=edit_form,
                           reply_form=reply_form, form=EmptyForm(), status_text=STATUS_TEXT), status


@bp.post("/comments/<id:comment_id>/edit")
def edit(comment_id: int):
    """Save a corrected text (re-sanitized), optionally approving in the same step."""
    found = _comment_or_404(comment_id)
    edit_form = ModerationBodyForm(prefix="edit")
    if not edit_form.validate_on_submit():
        return _comment_page(found, edit_form=edit_form, status=400)
    approve = request.form.get("approve") == "yes"
    edit_body(comment_id, edit_form.body.data, current_user, approve=approve)
    flash(_("Saved and approved.") if approve else _("Saved."), "success")
    return redirect(url_for(".comment", comment_id=comment_id), code=303)


@bp.post("/comments/<id:comment_id>/reply")
def reply(comment_id: int):
    """Answer a reader as the clinic: published at once with a "Clinic" badge."""
    found = _comment_or_404(comment_id)
    reply_form = ModerationBodyForm(prefix="reply")
    if not reply_form.validate_on_submit():
        return _comment_page(found, reply_form=reply_form, status=400)
    clinic_reply = reply_as_clinic(comment_id, reply_form.body.data, current_user,
                                   clinic_name=current_app.config["SITE_NAME"])
    flash(_("Your reply is published under the reader's comment."), "success")
    return redirect(url_for("reader.article", slug=found.article.slug, _anchor=f"comment-{clinic_reply.id}"),
                    code=303)


@bp.post("/articles/<id:article_id>/comments")
def article_comments(article_id: int):
    """Open or close comments on one article."""
    is_open = request.form.get("open") == "yes"
    article = set_comments_open(article_id, is_open, current_user)
    if article is None:
        abort(404)
    flash(_("Comments are now open on \u201c%(title)s\u201d.", title=article.title) if is_open
          else _("Comments are now closed on \u201c%(title)s\u201d.", title=article.title), "success")
    return redirect(_back(), code=303)
