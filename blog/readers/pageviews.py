"""Counting page views privately: a daily-rotating keyed visitor hash, a bot filter, atomic increments.

No address or user agent is stored: only HMAC(salt of the day, address, user agent, article),
kept for the dedupe window. The salt is random, shared by every worker through the database,
and deleted when its day is over, after which nobody can link a hash to a visitor.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import threading
from dataclasses import dataclass, fields, replace

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from blog.core.sql import columns, database_key, parse_date, parse_datetime, upsert
from blog.perf.hot_connection import DriverConnection, hot_connection, run_with_short_waits
from blog.extensions import db
from blog.core.models import PUBLISHED_SQL, Article, DailyViews, RecentVisit, VisitorSalt, utcnow
from blog.core.privacy import keyed_hash

log = logging.getLogger(__name__)

# Crawlers, link previewers, monitors and scripted clients. Browsers (headless ones too) count.
_BOT_UA = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"pingdom|uptime|monitor|lighthouse|pagespeed|feedfetcher|mediapartners|"
    r"curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|"
    r"libwww|okhttp|scrapy|headlesschrome.*(lighthouse|pagespeed)",
    re.IGNORECASE,
)

# (engine, day) -> salt; one process may serve several apps (tests), each with its own database.
_salts: dict[tuple[int, dt.date], str] = {}
_salts_lock = threading.Lock()
_last_cleanup = {"at": dt.datetime.min}
CLEANUP_EVERY = dt.timedelta(minutes=10)


def is_bot(user_agent: str | None) -> bool:
    """Known bots and crawlers by user agent; an empty user agent is no browser either."""
    return not user_agent or bool(_BOT_UA.search(user_agent))


def salt_for(day: dt.date) -> str:
    """The day's random salt: the same in every worker (stored once), created on first use."""
    cache_key = (database_key(), day)
    salt = _salts.get(cache_key)
    if salt is not None:
        return salt
    with _salts_lock:
        db.session.execute(
            upsert(VisitorSalt).values(day=day, salt=secrets.token_hex(32)).on_conflict_do_nothing()
        )
        salt = db.session.execute(db.select(VisitorSalt.salt).where(VisitorSalt.day == day)).scalar_one()
        db.session.commit()
        for old in [k for k in _salts if k[1] != day]:
            del _salts[old]
        _salts[cache_key] = salt
    return salt


def visitor_hash(address: str, user_agent: str, slug: str, now: dt.datetime) -> str:
    return keyed_hash(salt_for(now.date()).encode(), address, user_agent, slug)


@dataclass(frozen=True, slots=True)
class PageState:
    """What the article page needs to find its cached HTML and fill its holes (no ORM object)."""

    id: int
    slug: str
    source_hash: str
    comments_version: int
    comments_open: bool
    published: dt.date
    view_count: int
    modified_at: dt.datetime


_A, _V, _D = Article.__tablename__, RecentVisit.__tablename__, DailyViews.__tablename__
_STATE_COLUMNS = columns(Article, [f.name for f in fields(PageState)])
_PUBLISHED = f"slug = :slug AND {PUBLISHED_SQL}"
# Claim the visitor slot: succeeds (returns a row) only if not counted within the window. On
# SQLite the row's triggers (blog.core.models.VIEW_TRIGGERS) count the view in the same statement.
_CLAIM = (f"INSERT INTO {_V} (visitor_hash, counted_at, article_id) VALUES (:visitor, :now, :article_id) "
          f"ON CONFLICT (visitor_hash) DO UPDATE SET counted_at = excluded.counted_at, article_id = excluded.article_id "
          f"WHERE {_V}.counted_at < :window_start RETURNING visitor_hash")
_READ = f"SELECT {_STATE_COLUMNS} FROM {_A} WHERE {_PUBLISHED}"
# PostgreSQL: all of it as one statement in autocommit, so a counted view is one round trip.
# Data-modifying CTEs run whether or not the final SELECT reads them. The statement's own
# transaction commits without waiting for the WAL flush (set_config(..., true) is local to it):
# the same durability as SQLite's synchronous=NORMAL here, where a dead worker loses nothing and
# only a crash of the database server or machine can lose the last fraction of a second of view
# counts, consistently (claim, total and day together). Comments always commit synchronously.
_PG_OPEN = f"""
WITH page AS (SELECT {_STATE_COLUMNS} FROM {_A} WHERE {_PUBLISHED}),
claim AS (INSERT INTO {_V} (visitor_hash, counted_at, article_id) SELECT :visitor, :now, id FROM page
          ON CONFLICT (visitor_hash) DO UPDATE SET counted_at = excluded.counted_at, article_id = excluded.article_id
          WHERE {_V}.counted_at < :window_start RETURNING 1),
bump AS (UPDATE {_A} SET view_count = view_count + 1
         WHERE id = (SELECT id FROM page) AND EXISTS (SELECT 1 FROM claim) RETURNING view_count),
day AS (INSERT INTO {_D} (article_id, day, views) SELECT id, :day, 1 FROM page WHERE EXISTS (SELECT 1 FROM bump)
        ON CONFLICT (article_id, day) DO UPDATE SET views = {_D}.views + 1)
SELECT {", ".join("coalesce((SELECT view_count FROM bump), view_count)" if name == "view_count" else name
                  for name in _STATE_COLUMNS.split(", "))},
       EXISTS (SELECT 1 FROM bump), set_config('synchronous_commit', 'off', true)
FROM page"""


def _page_state(row) -> PageState:
    id_, slug, source_hash, version, is_open, published, views, modified = row[:8]
    return PageState(id_, slug, source_hash, version, bool(is_open), parse_date(published), views,
                     parse_datetime(modified))


def open_article(
    slug: str, visitor: tuple[str, str] | None = None, window_minutes: int = 30, now: dt.datetime | None = None,
) -> tuple[PageState, bool] | None:
    """The page state of a published article, counting one view for `visitor` (address, user agent).

    Returns (state, counted), with the view already in state.view_count, or None when no published
    article has this slug. A view counts unless the visitor is a bot or was counted for this
    article within the window: a claim on the visitor's keyed hash (an upsert that only succeeds
    if the last counted visit is older than the window), with the article's total and the day's
    count incremented in the same statement (SQLite: triggers; PostgreSQL: CTEs), one short
    transaction. Exact under any number of workers and hosts.

    This is the hottest path of the site, so it is plain SQL on the driver's connection:
    SQLAlchemy's per-statement overhead was most of its cost (bench/run)."""
    now = now or utcnow()
    if visitor is not None and is_bot(visitor[1]):
        visitor = None
    params = {"slug": slug, "today": now.date(), "day": now.date()}
    if visitor is not None:
        params.update(visitor=visitor_hash(*visitor, slug, now), now=now,
                      window_start=now - dt.timedelta(minutes=window_minutes))
    with hot_connection() as connection:
        bound = connection.bind(params)
        if connection.is_postgresql:
            opened = _open_on_postgresql(connection, bound, visitor is not None)
        else:
            opened = run_with_short_waits(connection, lambda: _open_on_sqlite(connection, bound, visitor is not None))
    if opened is not None and opened[1]:
        _maybe_clean_up(now, params["window_start"])
    return opened


def _open_on_sqlite(connection: DriverConnection, params: dict, counting: bool) -> tuple[PageState, bool] | None:
    """The hot connection is in autocommit: the read takes no lock, and the claim with its
    triggers is one statement, its own transaction, so the write lock is held only inside SQLite.
    The count shown is the one read plus this view (a view counted meanwhile by another reader
    shows on the next page)."""
    cursor = connection.raw.cursor()
    try:
        row = connection.execute(cursor, _READ, params).fetchone()
        if row is None:
            return None  # no such article: no visitor slot kept either
        counted = False
        if counting:
            counted = bool(connection.execute(cursor, _CLAIM, {**params, "article_id": row[0]}).fetchall())
        state = _page_state(row)
        return (replace(state, view_count=state.view_count + 1) if counted else state), counted
    finally:
        cursor.close()


def _open_on_postgresql(connection: DriverConnection, params: dict, counting: bool) -> tuple[PageState, bool] | None:
    """Autocommit: the one statement is its own transaction."""
    with connection.raw.cursor() as cursor:
        if counting:
            row = connection.execute(cursor, _PG_OPEN, params).fetchone()
        else:
            row = connection.execute(cursor, _READ, params).fetchone()
            row = row and (*row, False)
    if row is None:
        return None
    return _page_state(row), row[8]


def record_view(slug: str, address: str, user_agent: str, window_minutes: int = 30,
                now: dt.datetime | None = None) -> int | None:
    """Count one view of a published article; the new total, or None when it did not count."""
    opened = open_article(slug, (address, user_agent), window_minutes, now)
    return opened[0].view_count if opened and opened[1] else None


def _maybe_clean_up(now: dt.datetime, window_start: dt.datetime) -> None:
    """Every few minutes per worker: drop dedupe rows past the window and salts of past days."""
    if now - _last_cleanup["at"] < CLEANUP_EVERY:
        return
    _last_cleanup["at"] = now
    try:
        clean_up_visits(now, window_start)
    except SQLAlchemyError:  # housekeeping: the view is already counted, the reader gets the page
        db.session.rollback()
        log.warning("clean-up of old visitor hashes failed; retried in %s", CLEANUP_EVERY, exc_info=True)


def clean_up_visits(now: dt.datetime, window_start: dt.datetime) -> int:
    """Delete expired visitor hashes and old salts; returns how many hashes went."""
    removed = db.session.execute(delete(RecentVisit).where(RecentVisit.counted_at < window_start)).rowcount
    db.session.execute(delete(VisitorSalt).where(VisitorSalt.day < now.date()))
    db.session.commit()
    return removed
