"""What moderators do to comments and articles, each action recorded in the audit log.

Every function takes plain arguments (ids, the acting moderator), commits once, and
returns what changed, so the views, the CLI and the tests share them."""
from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_babel import gettext as _
from sqlalchemy import delete, false, literal

from blog.perf.hot_connection import hot_rows
from blog.extensions import db
from blog.core.i18n import lazy_gettext as _l, number
from blog.core.models import Article, Comment, CommentStatus, Moderator, ModerationEvent, utcnow
from blog.core.personal_data import redact
from blog.core.sanitize import clean_comment
from blog.mail.notifications import announce_approved

# Queue action -> the status it sets.
STATUS_ACTIONS = {
    "approve": CommentStatus.APPROVED.value,
    "reject": CommentStatus.REJECTED.value,
    "spam": CommentStatus.SPAM.value,
    "restore": CommentStatus.PENDING.value,
}

# The audit log stores its words in English (actions, and the states of comments and articles);
# pages show them in the site's language. A word not listed here is shown as stored.
ACTION_LABELS = {
    "approve": _l("approve"), "reject": _l("reject"), "spam": _l("spam"), "restore": _l("restore"),
    "delete": _l("delete"), "edit": _l("edit"), "reply": _l("reply"),
    "approve with redaction": _l("approve with redaction"),
    "open comments": _l("open comments"), "close comments": _l("close comments"),
    "forget commenter": _l("forget commenter"), "erase old emails": _l("erase old emails"),
    "sign-in throttled": _l("sign-in throttled"),
}
STATUS_LABELS = {
    CommentStatus.PENDING.value: _l("pending"), CommentStatus.APPROVED.value: _l("approved"),
    CommentStatus.SPAM.value: _l("spam"), CommentStatus.REJECTED.value: _l("rejected"),
    "open": _l("open"), "closed": _l("closed"),  # an article's comments
}


def action_label(action: str) -> str:
    """An audit log action as people read it (a template filter)."""
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str) -> str:
    """A comment's status (or an article's comments, open or closed) as people read it (a template filter)."""
    return str(STATUS_LABELS.get(status, status))


def record(moderator: Moderator | None, action: str, comment: Comment | None = None, *,
           article_id: int | None = None, before: str | None = None, after: str | None = None,
           previous_body: str | None = None, note: str = "") -> None:
    """Add one line to the audit log (the caller commits)."""
    db.session.add(ModerationEvent(
        moderator_id=moderator.id if moderator else None, action=action,
        comment_id=comment.id if comment else None,
        article_id=comment.article_id if comment else article_id,
        status_before=before, status_after=after, previous_body=previous_body, note=note[:300],
    ))


def _comments(ids: Iterable[int]) -> list[Comment]:
    """The comments, locked for this transaction on PostgreSQL (FOR UPDATE; SQLite has one writer at a
    time anyway): two moderators acting on one comment at once take turns, so the second sees the
    first's change and neither writes its readers' mail twice."""
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.execute(db.select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
                                   .with_for_update(of=Comment)).scalars())


def set_status(comment_ids: Iterable[int], action: str, moderator: Moderator) -> int:
    """Approve, reject, mark as spam or restore to pending; returns how many comments changed."""
    new_status = STATUS_ACTIONS[action]
    changed = [c for c in _comments(comment_ids) if c.status != new_status]
    for comment in changed:
        record(moderator, action, comment, before=comment.status, after=new_status)
        comment.status, comment.status_changed_at = new_status, utcnow()
    announce_approved(changed)  # readers' mails, in this transaction (blog.mail)
    db.session.commit()
    return len(changed)


def approve_with_redaction(comment_ids: Iterable[int], moderator: Moderator, region: str = "US") -> int:
    """Approve comments with their personal details (blog.core.personal_data) replaced by "[removed]":
    the original text goes to the audit log, where moderators can still read it; the public page
    never shows it. Returns how many comments were approved."""
    changed = 0
    for comment in _comments(comment_ids):
        body, name = redact(comment.body_raw, region), redact(comment.author_name, region)
        if body == comment.body_raw and name == comment.author_name:  # nothing to remove: a plain approval
            if comment.status != CommentStatus.APPROVED.value:
                record(moderator, "approve", comment, before=comment.status, after=CommentStatus.APPROVED.value)
                comment.status, comment.status_changed_at = CommentStatus.APPROVED.value, utcnow()
                announce_approved([comment])
                changed += 1
            continue
        record(moderator, "approve with redaction", comment, before=comment.status, after=CommentStatus.APPROVED.value,
               previous_body=comment.body_raw if body != comment.body_raw else None,
               note=_("personal details removed (name was %(name)s)", name=comment.author_name)
               if name != comment.author_name else _("personal details removed"))
        comment.body_raw, comment.body_html, comment.author_name = body, clean_comment(body), name[:80]
        comment.status, comment.status_changed_at = CommentStatus.APPROVED.value, utcnow()
        announce_approved([comment])
        changed += 1
    db.session.commit()
    return changed


def delete_forever(comment_ids: Iterable[int], moderator: Moderator) -> int:
    """Delete comments and their replies for good; the audit log keeps a line for each."""
    targets = _comments(comment_ids)
    ids = [c.id for c in targets]
    replies = list(db.session.execute(
        db.select(Comment).where(Comment.parent_id.in_(ids), Comment.id.not_in(ids))).scalars()) if ids else []
    for comment in targets:
        record(moderator, "delete", comment, before=comment.status, previous_body=comment.body_raw)
    for reply in replies:
        record(moderator, "delete", reply, before=reply.status, previous_body=reply.body_raw,
               note=_("deleted with its parent comment %(id)s", id=reply.parent_id))
    if ids:
        db.session.execute(delete(Comment).where(Comment.id.in_(ids + [r.id for r in replies])))
    db.session.commit()
    return len(targets) + len(replies)


def edit_body(comment_id: int, new_body: str, moderator: Moderator, approve: bool = False) -> Comment | None:
    """Replace a comment's text (re-sanitized); optionally approve it in the same step."""
    comment = db.session.get(Comment, comment_id, with_for_update=True)
    if comment is None:
        return None
    if new_body != comment.body_raw:
        record(moderator, "edit", comment, before=comment.status, after=comment.status,
               previous_body=comment.body_raw)
        comment.body_raw = new_body
        comment.body_html = clean_comment(new_body)
    if approve and comment.status != CommentStatus.APPROVED.value:
        record(moderator, "approve", comment, before=comment.status, after=CommentStatus.APPROVED.value)
        comment.status, comment.status_changed_at = CommentStatus.APPROVED.value, utcnow()
        announce_approved([comment])
    db.session.commit()
    return comment


def reply_as_clinic(parent_id: int, body: str, moderator: Moderator, clinic_name: str) -> Comment | None:
    """The clinic answers a reader: approved at once, under the reader's thread."""
    parent = db.session.get(Comment, parent_id)
    if parent is None:
        return None
    root_id = parent.parent_id or parent.id
    reply = Comment(
        article_id=parent.article_id, parent_id=root_id, author_name=clinic_name, author_email=None,
        body_raw=body, body_html=clean_comment(body), status=CommentStatus.APPROVED.value, is_clinic=True,
    )
    db.session.add(reply)
    db.session.flush()
    record(moderator, "reply", reply, after=reply.status, note=_("clinic reply to comment %(id)s", id=parent.id))
    announce_approved([reply])
    db.session.commit()
    return reply


def set_comments_open(article_id: int, is_open: bool, moderator: Moderator) -> Article | None:
    article = db.session.get(Article, article_id)
    if article is None:
        return None
    if article.comments_open != is_open:
        record(moderator, "open comments" if is_open else "close comments", article_id=article.id,
               before="open" if article.comments_open else "closed", after="open" if is_open else "closed")
        article.comments_open = is_open
        db.session.commit()
    return article


def status_counts() -> dict[str, int]:
    """Moderated comments per status (clinic replies are not moderated), for the queue's tabs and
    the pending badge; counted once per request, each up to COUNT_CAP so the cost never grows with
    the table (a spam flood of 50,000 comments made every queue load count them all: bench/run).
    A count of COUNT_CAP means "at least": templates show it with the queue_count filter."""
    if "status_counts" in g:
        return g.status_counts
    row = hot_rows(_STATUS_COUNTS)[0]  # Core on the hot connection: no session or pool work
    g.status_counts = dict(zip(_COUNTED, row, strict=True))
    return g.status_counts


COUNT_CAP = 1000
_COUNTED = [s.value for s in CommentStatus]
_STATUS_COUNTS = db.select(*(
    db.select(db.func.count()).select_from(
        db.select(literal(1)).where(Comment.status == status, Comment.is_clinic == false()).limit(COUNT_CAP).subquery()
    ).scalar_subquery()
    for status in _COUNTED
))


def queue_count(count: int) -> str:
    """A tab count for people, in the locale's digits: 1,000+ once it reaches the cap."""
    return f"{number(COUNT_CAP)}+" if count >= COUNT_CAP else number(count)


def log_query(moderator_id: int | None = None, article_id: int | None = None):
    """Audit log lines, newest first, optionally for one moderator and/or one article."""
    query = db.select(ModerationEvent).order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
    if moderator_id:
        query = query.where(ModerationEvent.moderator_id == moderator_id)
    if article_id:
        query = query.where(ModerationEvent.article_id == article_id)
    return query
