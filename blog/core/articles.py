"""Importing articles from Markdown files into the database, and reading them back for pages."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path


from blog.core.content import ArticleError, ArticleSource, parse_article
from blog.core.images import adopt_images_beside
from blog.core.sql import columns, database_key
from blog.perf.hot_connection import hot_fetchall
from blog.extensions import db
from blog.core.models import PUBLISHED_SQL, Article, ArticleListVersion, utc_today


@dataclass
class ImportResult:
    path: Path
    outcome: str  # "created", "updated", "unchanged" or "failed"
    slug: str | None = None
    error: str | None = None


def source_files(path: Path) -> list[Path]:
    """The .md files a PATH argument names: the file itself, or a folder's files in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".md" and p.is_file())
    return [path]


def import_article_file(path: Path, static_folder: Path) -> ImportResult:
    """Create or update one article by slug, in its own transaction; an unchanged file writes nothing."""
    try:
        source = parse_article(path.read_bytes(), static_folder)
    except ArticleError as exc:
        return ImportResult(path, "failed", error=str(exc))
    except OSError as exc:
        return ImportResult(path, "failed", error=f"file: cannot be read ({exc.strerror})")

    article = db.session.execute(db.select(Article).filter_by(slug=source.slug)).scalar_one_or_none()
    if article is not None and article.source_hash == source.source_hash:
        return ImportResult(path, "unchanged", slug=source.slug)
    outcome = "updated" if article else "created"
    if article is None:
        article = Article(slug=source.slug)
        db.session.add(article)
    copy_fields(source, article)
    db.session.flush()
    db.session.commit()
    return ImportResult(path, outcome, slug=source.slug)


def copy_fields(source: ArticleSource, article: Article) -> None:
    """An article's stored fields from its parsed source (import-articles and import-feed alike)."""
    for name in ("title", "published", "updated", "author", "reviewed_by", "reviewed", "lang", "image", "image_alt", "summary",
                 "comments_open", "body_markdown", "body_html", "reading_minutes", "source_hash"):
        setattr(article, name, getattr(source, name))
    article.tags = ",".join(source.tags)


def import_articles(path: Path, static_folder: Path) -> list[ImportResult]:
    """Import every file PATH names; one bad file does not stop the others."""
    if not path.exists():
        return [ImportResult(path, "failed", error="path: no such file or folder")]
    adopt_images_beside(path if path.is_dir() else path.parent, static_folder)
    return [import_article_file(p, static_folder) for p in source_files(path)]


def published_articles_query():
    """Articles whose publication date has come, newest first."""
    return (
        db.select(Article)
        .where(Article.is_published(utc_today()))
        .order_by(Article.published.desc(), Article.id.desc())
    )


def get_published_article(slug: str) -> Article | None:
    return db.session.execute(
        db.select(Article).where(Article.slug == slug, Article.is_published(utc_today()))
    ).scalar_one_or_none()


class IndexRow(NamedTuple):
    id: int
    source_hash: str
    comments_version: int
    view_count: int


# Plain SQL on the driver's connection, like the article page: SQLAlchemy's per-statement work was
# most of the index's cost. The page query uses the (published) index and reads a bounded page.
# A window count(*) OVER () in it made the database sort every published row before the LIMIT
# (bench/run: index with 100x data fell from 2,300 to 600 req/s), and a count(*) of its own grows
# with the table too, so the total is counted only when the list of articles or the day changed.
_A = Article.__tablename__
_LIST_VERSION = f"SELECT version FROM {ArticleListVersion.__tablename__}"
_INDEX_TOTAL = f"SELECT count(*) FROM {_A} WHERE {PUBLISHED_SQL}"
_INDEX_ROWS = (f"SELECT {columns(Article, IndexRow._fields)} FROM {_A} WHERE {PUBLISHED_SQL} "
               f"ORDER BY published DESC, id DESC LIMIT :limit OFFSET :offset")
_published_totals: dict[tuple, int] = {}  # (engine, list version, day) -> published articles, this process


def index_page_state(page: int, per_page: int) -> tuple[int, list[IndexRow]]:
    """(total published, the rows of one index page): short autocommit reads, the total from this
    process's cache while no article was added, deleted or re-dated (ArticleListVersion) that day."""
    params = {"today": utc_today(), "limit": per_page, "offset": (page - 1) * per_page}
    return published_total(params), [IndexRow(*row) for row in hot_fetchall(_INDEX_ROWS, params)]


def published_total(params: dict) -> int:
    # The version is read before counting: a change in between is counted under the old version
    # at worst, and the next request sees the new version and counts again.
    versions = hot_fetchall(_LIST_VERSION, {})
    key = (database_key(), versions[0][0] if versions else None, params["today"])
    total = _published_totals.get(key)
    if total is None:
        total = hot_fetchall(_INDEX_TOTAL, params)[0][0]
        _published_totals.clear()  # only the current version is ever asked for again
        if versions:  # without its row (deleted by hand), the list has no version: count each time
            _published_totals[key] = total
    return total


def comments_open(article: Article, close_after_days: int | None, today: dt.date | None = None) -> bool:
    """Open unless closed on the article (front matter or the queue) or older than the configured age."""
    if not article.comments_open:
        return False
    if close_after_days:
        today = today or utc_today()
        return (today - article.published).days <= int(close_after_days)
    return True
