"""Reading the moderation queue: one page of comments as plain rows (plain SQL, no ORM objects).

Each row carries everything its item shows, so a rendered item can be cached by the row itself:
any change to what an item shows (status, text, name, the article's title...) is a new row, a new
key, and the old rendering is never served again."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import NamedTuple


from blog.core.sql import columns, parse_datetime
from blog.perf.hot_connection import hot_fetchall
from blog.core.models import Article, Comment, CommentStatus
from blog.moderation.actions import COUNT_CAP

class QueueItem(NamedTuple):
    """One comment as its queue item shows it."""

    id: int
    status: str
    author_name: str
    author_email: str | None
    created_at: dt.datetime
    flags: str
    body_html: str
    body_raw: str
    article_slug: str
    article_title: str
    parent_author: str | None
    parent_body: str | None


# Plain SQL on the hot connection (blog.core.sql): SQLAlchemy's row processing was a tenth of the
# queue page (bench/run). The (status, is_clinic, created_at) index serves the filter and order.
_C, _A = Comment.__tablename__, Article.__tablename__
_ITEMS = (
    f"SELECT {columns(Comment, QueueItem._fields[:8], 'c')}, {columns(Article, ('slug', 'title'), 'a')}, "
    f"{columns(Comment, ('author_name', 'body_raw'), 'p')} "
    f"FROM {_C} AS c JOIN {_A} AS a ON c.article_id = a.id LEFT OUTER JOIN {_C} AS p ON c.parent_id = p.id "
    f"WHERE c.status = :status AND c.is_clinic = :clinic "
)
# Pending oldest first (first come, first served), the other tabs newest first.
# Urgent comments (a crisis phrase, blog.core.rules) come before everything else waiting.
# (The pattern is a parameter: a literal % would be a placeholder to the PostgreSQL driver.)
_OLDEST_FIRST = (_ITEMS + "ORDER BY CASE WHEN c.flags LIKE :urgent THEN 0 ELSE 1 END, c.created_at, c.id "
                 "LIMIT :limit OFFSET :offset")
_NEWEST_FIRST = _ITEMS + "ORDER BY c.created_at DESC, c.id DESC LIMIT :limit OFFSET :offset"


def _read_items(sql: str, params: dict) -> list[QueueItem]:
    return [QueueItem(*row[:4], parse_datetime(row[4]), *row[5:]) for row in hot_fetchall(sql, params)]


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue tab, with what the pagination links need."""

    items: list[QueueItem]
    page: int
    per_page: int
    total: int  # capped (blog.moderation.actions.COUNT_CAP): past the cap, pages is a lower bound
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
    comments (from blog.moderation.actions.status_counts); None past the end."""
    if page < 1:
        return None
    query = _OLDEST_FIRST if status == CommentStatus.PENDING.value else _NEWEST_FIRST
    # One row more than a page says whether there is a next page, whatever the (capped) total.
    params = {"status": status, "clinic": False, "limit": per_page + 1, "offset": (page - 1) * per_page,
              "urgent": "%urgent%"}
    items = _read_items(query, params)
    if not items and page > 1:
        return None
    return QueuePage(items[:per_page], page, per_page, total, has_next=len(items) > per_page)


def flag_list(flags: str) -> list[str]:
    return [f for f in flags.split(",") if f]


