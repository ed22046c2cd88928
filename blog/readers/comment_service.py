"""Submitting and reading reader comments: validation of the thread, status, sanitizing."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, insert

from blog.core.sql import columns
from blog.perf.hot_connection import hot_fetchall
from blog.extensions import db
from blog.core.models import Article, Comment, CommentStatus, Moderator, utcnow
from blog.readers.pageviews import PageState
from blog.core.rules import URGENT, evaluate
from blog.core.sanitize import clean_comment
from blog.mail.notifications import announce_approved, follow
from blog.mail.outbox import add_to_outbox, mail_enabled
from blog.moderation.notify import moderators_notices


class CommentRejected(ValueError):
    """The submission cannot be stored; the message is for the reader."""


@dataclass(frozen=True)
class Submitted:
    """What the reader's request needs after the commit, read before it (no reload queries)."""

    id: int
    status: str
    article_slug: str
    urgent: bool = False


@dataclass
class Thread:
    """A top-level comment and its replies (one level deep), as shown on the article page."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def is_returning_commenter(email: str | None) -> bool:
    """Whether this email already has an approved comment."""
    if not email:
        return False
    return db.session.execute(approved_comment_by(email)).first() is not None


def approved_comment_by(email: str):
    """One approved comment by this email, in any case: served by ix_comment_author_email_lower."""
    return db.select(Comment.id).where(
        func.lower(Comment.author_email) == email.lower(),
        Comment.status == CommentStatus.APPROVED.value,
    ).limit(1)


def active_moderator_names() -> list[str]:
    """The names staff sign with, which no reader may borrow (blog.core.lookalikes)."""
    return [name for (name,) in hot_fetchall(_ACTIVE_MODERATOR_NAMES, {})]


_ACTIVE_MODERATOR_NAMES = f"SELECT name FROM {Moderator.__tablename__} WHERE NOT disabled"


def submit_comment(
    article: Article | PageState,
    name: str,
    body: str,
    email: str | None = None,
    parent_id: int | None = None,
    honeypot_filled: bool = False,
    rules_config: Mapping | None = None,
    notice_version: str | None = None,
    notify_email: str | None = None,
) -> Submitted:
    """Store a reader's comment, sanitized, with the status the rules give it.

    Pending by default; spam when a bot filled the honeypot or a rule says so; approved
    only for a trusted returning commenter whose comment raised no flag. With notify_email, the reader
    follows the conversation by email (double opt-in: blog.mail.notifications)."""
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.article_id != article.id or parent.status != CommentStatus.APPROVED.value:
            raise CommentRejected(_("The comment you replied to is not available any more."))
        if parent.parent_id is not None:  # replies stay one level deep: attach to the thread
            parent = parent.parent
    body_html = clean_comment(body)
    verdict = evaluate(name, body, body_html.count("<a "), rules_config or {},
                       returning_commenter=is_returning_commenter(email), moderator_names=active_moderator_names())
    status = CommentStatus.SPAM.value if honeypot_filled else verdict.status
    now = utcnow()
    values = {
        "article_id": article.id,
        "parent_id": parent.id if parent else None,
        "author_name": name,
        "author_email": email or None,
        "body_raw": body,
        "body_html": body_html,
        "status": status,
        "flags": ",".join(["honeypot"] if honeypot_filled else verdict.flags),
        "is_clinic": False,
        "created_at": now,
        "status_changed_at": now,
        "notice_version": notice_version,
    }
    if mail_enabled():
        comment_id = _store_with_mail(values, notify_email)
    else:
        # Only for speed: one INSERT, its own transaction (the ORM session's work was most of a POST);
        # an approved one updates its article's public state in the same statement (blog.core.public_state).
        comment_id = hot_fetchall(_INSERT_COMMENT, values)[0][0]
    return Submitted(comment_id, status, article.slug, urgent=URGENT in verdict.flags)


def _store_with_mail(values: dict, notify_email: str | None) -> int:
    """The comment and the mail it causes, in one transaction: the moderators' notices, the reader's
    confirmation (or, approved at once, "live" and reply notices)."""
    comment_id = db.session.execute(insert(Comment).values(**values).returning(Comment.id)).scalar_one()
    comment = db.session.get(Comment, comment_id)
    add_to_outbox(moderators_notices(comment))
    if notify_email and comment.status != CommentStatus.SPAM.value:
        follow(comment, notify_email)
    announce_approved([comment])
    db.session.commit()
    return comment_id


_COMMENT_COLUMNS = ("article_id", "parent_id", "author_name", "author_email", "body_raw", "body_html", "status",
                    "flags", "is_clinic", "created_at", "status_changed_at", "notice_version")
_INSERT_COMMENT = (f"INSERT INTO {Comment.__tablename__} ({columns(Comment, _COMMENT_COLUMNS)}) "
                        f"VALUES ({', '.join(':' + c for c in _COMMENT_COLUMNS)}) RETURNING id")


def visible_threads(article_id: int, own_comment_ids: list[int]) -> list[Thread]:
    """Approved comments oldest first, replies under their parent, plus this reader's own pending ones."""
    visible = Comment.status == CommentStatus.APPROVED.value
    if own_comment_ids:
        visible = visible | (
            Comment.id.in_(own_comment_ids) & (Comment.status == CommentStatus.PENDING.value)
        )
    comments = db.session.execute(
        db.select(Comment)
        .where(Comment.article_id == article_id, visible)
        .order_by(Comment.created_at, Comment.id)
    ).scalars()
    threads: dict[int, Thread] = {}
    orphans: list[Comment] = []
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.id] = Thread(comment)
        else:
            orphans.append(comment)
    for reply in orphans:
        if reply.parent_id in threads:  # a reply under a hidden parent stays hidden
            threads[reply.parent_id].replies.append(reply)
    return list(threads.values())
