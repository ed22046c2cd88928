"""Reading the moderation queue: one page of comments as plain rows (Core, no ORM objects).

Each row carries everything its item shows, so a rendered item can be cached by the row itself:
any change to what an item shows (status, text, name, the article's title...) is a new row, a new
key, and the old rendering is never served again."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, false
from sqlalchemy.orm import aliased

from blog.dbutil import hot_rows
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.moderating import COUNT_CAP

_parent = aliased(Comment)
_ITEMS = (
    db.select(
        Comment.id, Comment.status, Comment.author_name, Comment.author_email, Comment.created_at,
        Comment.flags, Comment.body_html, Comment.body_raw,
        Article.slug.label("article_slug"), Article.title.label("article_title"),
        _parent.author_name.label("parent_author"), _parent.body_raw.label("parent_body"),
    )
    .join(Article, Comment.article_id == Article.id)
    .outerjoin(_parent, Comment.parent_id == _parent.id)
    .where(Comment.status == bindparam("status"), Comment.is_clinic == false())
    .limit(bindparam("limit")).offset(bindparam("offset"))
)
# Pending oldest first (first come, first served), the other tabs newest first.
_OLDEST_FIRST = _ITEMS.order_by(Comment.created_at, Comment.id)
_NEWEST_FIRST = _ITEMS.order_by(Comment.created_at.desc(), Comment.id.desc())


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue tab, with what the pagination links need."""

    items: list[Row]
    page: int
    per_page: int
    total: int  # capped (blog.moderating.COUNT_CAP): past the cap, pages is a lower bound
    has_next: bool

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page), self.page + self.has_next)

    @property
    def pages_known(self) -> bool:
        return self.total < COUNT_CAP

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def queue_page(status: str, page: int, per_page: int, total: int) -> QueuePage | None:
    """A page of comments with this status (clinic replies are not moderated), of `total` such
    comments (from blog.moderating.status_counts); None past the end."""
    if page < 1:
        return None
    query = _OLDEST_FIRST if status == CommentStatus.PENDING.value else _NEWEST_FIRST
    # One row more than a page says whether there is a next page, whatever the (capped) total.
    params = {"status": status, "limit": per_page + 1, "offset": (page - 1) * per_page}
    items = hot_rows(query, params)
    if not items and page > 1:
        return None
    return QueuePage(items[:per_page], page, per_page, total, has_next=len(items) > per_page)


def flag_list(flags: str) -> list[str]:
    return [f for f in flags.split(",") if f]
