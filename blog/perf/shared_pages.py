"""The pages every anonymous reader gets (an article page, the index's pages): their cache keys and
their responses, headers included, built here once for the WSGI fast path and the Flask views.

What may vary in a cached page goes into its key through cache_key(); what varies per request (the
view count, the form token) is a hole filled per request. Nothing from the request itself is in a
cached page: absolute URLs and the URL prefix come from configuration (blog.core.urls, blog.core.security), so
no header, cookie or query string of one reader can reach another, and a stream of invented hosts
cannot evict real pages. Every version in a key is kept by the database (blog.core.public_state,
ArticleListVersion), so every worker sees every change on its next request."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from werkzeug.http import generate_etag, http_date, quote_etag

from blog.readers.comment_tokens import comment_token
from blog.core.articles import comments_open
from blog.core.sql import database_key
from blog.perf.page_cache import HoledPage, page_cache
from blog.readers.pageviews import PageState
from blog.core.i18n import views_text as count_views

OPENED_KEY = "blog.opened_article"  # a view counted by blog.perf.fastpath before handing over to Flask
# The page holds the form token and, for a reader with a pending comment, their own comment: never a
# shared cache; browsers revalidate.
PAGE_CACHE_CONTROL = "private, no-cache"


def cache_key(kind: str, *parts) -> tuple:
    """The one key builder for cached pages and fragments: the database (one process may serve
    several, as tests do), the kind of page, and every value the page shows that can vary."""
    return (database_key(), kind, *parts)


def article_comments_open(article) -> bool:
    """Whether the article takes comments now (its own setting, and COMMENTS_CLOSE_AFTER_DAYS)."""
    return comments_open(article, current_app.config.get("COMMENTS_CLOSE_AFTER_DAYS"))


def article_key(state: PageState) -> tuple:
    return cache_key("article", state.id, state.source_hash, state.comments_version, article_comments_open(state))


def everyones_page(state: PageState, render: Callable[[], str] | None) -> bytes | None:
    """The article page every anonymous reader gets, from the per-worker page cache, with this
    request's form token and view count; on a cache miss it is rendered with `render`, or,
    without one (outside Flask's request handling), None."""
    key = article_key(state)
    page = page_cache.get_or_render(key, lambda: HoledPage(render())) if render else page_cache.get(key)
    if page is None:
        return None
    return page.fill({"csrf": comment_token(state.id), "views": count_views(state.view_count)})


def everyones_index(page: int, per_page: int, total: int, rows: list,
                    render: Callable[[], str] | None) -> bytes | None:
    """An index page as every anonymous reader gets it, from the page cache with the view counts
    filled in; rendered with `render` on a cache miss, or, without one, None."""
    key = cache_key("index", page, per_page, total,
                    tuple((r.id, r.source_hash, r.comments_version) for r in rows))
    cached = page_cache.get_or_render(key, lambda: HoledPage(render())) if render else page_cache.get(key)
    if cached is None:
        return None
    return cached.fill({f"views:{row.id}": count_views(row.view_count) for row in rows})


def article_headers(state: PageState, body: bytes) -> list[tuple[str, str]]:
    """The anonymous article page's headers, the same from the fast path and from the view."""
    return [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", PAGE_CACHE_CONTROL),
        ("Last-Modified", http_date(state.modified_at)),
        ("Vary", "Cookie"),
    ]


def index_headers(body: bytes) -> list[tuple[str, str]]:
    """An index page's headers (the view then answers If-None-Match with a 304)."""
    return [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("ETag", quote_etag(generate_etag(body))),
        ("Date", http_date()),
        ("Vary", "Cookie"),
    ]
