"""A WordPress export's comments, brought in with their post (import-feed), in the transaction of it."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from blog.core.models import Article, Comment
from blog.core.sanitize import clean_comment, strip_controls
from blog.core.text import clean_email, clean_name
from blog.extensions import db
from blog.operations.feed_sources import FeedEntry, SourceComment

_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def import_comments(entry: FeedEntry, article: Article, origin_of: Callable[[str], str]) -> int:
    """WordPress comments: approved published, pending queued, spam as spam, trash skipped; a reply
    to a reply hangs under its thread's top comment (threads here are one level deep). Comments
    already imported are left alone; addresses and user agents in the export are never read."""
    if not entry.comments:
        return 0
    by_key = {c.key: c for c in entry.comments}
    origin = lambda c: origin_of(f"{entry.key}#comment-{c.key}")  # noqa: E731
    known = {o for (o,) in db.session.execute(db.select(Comment.origin).where(
        Comment.origin.in_([origin(c) for c in entry.comments])))}
    ids: dict[str, int] = dict(db.session.execute(db.select(Comment.origin, Comment.id).where(
        Comment.origin.in_(known))).all()) if known else {}

    def thread_top(comment: SourceComment) -> SourceComment:
        seen = set()
        while comment.parent_key and comment.parent_key in by_key and comment.key not in seen:
            seen.add(comment.key)
            comment = by_key[comment.parent_key]
        return comment

    added = 0
    for comment in sorted(entry.comments, key=lambda c: (c.parent_key is not None, c.created_at)):
        if comment.status == "trash" or origin(comment) in known:
            continue
        top = thread_top(comment)
        parent_id = ids.get(origin(top)) if top is not comment else None
        body = strip_controls(comment.text).strip() or "(empty comment)"
        email = clean_email(comment.email)
        row = Comment(article_id=article.id, parent_id=parent_id, author_name=clean_name(comment.author)[:80] or _("Reader"),
                      author_email=email if email and _EMAIL_SHAPE.match(email) and len(email) <= 254 else None,
                      body_raw=body, body_html=clean_comment(body), status=comment.status, flags="",
                      is_clinic=False, created_at=comment.created_at, status_changed_at=comment.created_at,
                      origin=origin(comment))
        db.session.add(row)
        db.session.flush()
        ids[origin(comment)] = row.id
        added += 1
    return added
