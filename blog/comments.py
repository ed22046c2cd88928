"""Submitting and reading reader comments: validation of the thread, status, sanitizing."""
from __future__ import annotations

from dataclasses import dataclass, field

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.sanitize import clean_comment


class CommentRejected(ValueError):
    """The submission cannot be stored; the message is for the reader."""


@dataclass
class Thread:
    """A top-level comment and its replies (one level deep), as shown on the article page."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def submit_comment(
    article: Article,
    name: str,
    body: str,
    email: str | None = None,
    parent_id: int | None = None,
    honeypot_filled: bool = False,
) -> Comment:
    """Store a reader's comment, sanitized, as pending (or spam when a bot filled the honeypot)."""
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.article_id != article.id or parent.status != CommentStatus.APPROVED.value:
            raise CommentRejected("The comment you replied to is not available any more.")
        if parent.parent_id is not None:  # replies stay one level deep: attach to the thread
            parent = parent.parent
    comment = Comment(
        article_id=article.id,
        parent_id=parent.id if parent else None,
        author_name=name,
        author_email=email or None,
        body_raw=body,
        body_html=clean_comment(body),
        status=(CommentStatus.SPAM if honeypot_filled else CommentStatus.PENDING).value,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


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
