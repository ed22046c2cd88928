"""Counting page views privately: a daily-rotating keyed visitor hash, a bot filter, atomic increments.

No address or user agent is stored: only HMAC(salt of the day, address, user agent, article),
kept for the dedupe window. The salt is random, shared by every worker through the database,
and deleted when its day is over, after which nobody can link a hash to a visitor.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import threading

from sqlalchemy import delete, update

from blog.dbutil import upsert
from blog.extensions import db
from blog.models import Article, DailyViews, RecentVisit, VisitorSalt, utcnow
from blog.privacy import keyed_hash

# Crawlers, link previewers, monitors and scripted clients. Browsers (headless ones too) count.
_BOT_UA = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"pingdom|uptime|monitor|lighthouse|pagespeed|feedfetcher|mediapartners|"
    r"curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|"
    r"libwww|okhttp|scrapy|headlesschrome.*(lighthouse|pagespeed)",
    re.IGNORECASE,
)

# (database, day) -> salt; one process may serve several apps (tests), each with its own database.
_salts: dict[tuple[str, dt.date], str] = {}
_salts_lock = threading.Lock()
_last_cleanup = {"at": dt.datetime.min}
CLEANUP_EVERY = dt.timedelta(minutes=10)


def is_bot(user_agent: str | None) -> bool:
    """Known bots and crawlers by user agent; an empty user agent is no browser either."""
    return not user_agent or bool(_BOT_UA.search(user_agent))


def salt_for(day: dt.date) -> str:
    """The day's random salt: the same in every worker (stored once), created on first use."""
    cache_key = (str(db.session.get_bind().url), day)
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


def visitor_hash(address: str, user_agent: str, article_id: int, now: dt.datetime) -> str:
    return keyed_hash(salt_for(now.date()).encode(), address, user_agent, str(article_id))


def record_view(
    article_id: int, address: str, user_agent: str, window_minutes: int = 30, now: dt.datetime | None = None
) -> bool:
    """Count one view unless this visitor was counted for this article within the window.

    Three single statements in one short transaction: claim the visitor slot (an upsert that
    only succeeds if the last counted visit is older than the window), then increment the
    article total and the day's count in SQL. Exact under any number of workers."""
    now = now or utcnow()
    if is_bot(user_agent):
        return False
    digest = visitor_hash(address, user_agent, article_id, now)
    window_start = now - dt.timedelta(minutes=window_minutes)
    claim = (
        upsert(RecentVisit)
        .values(visitor_hash=digest, counted_at=now)
        .on_conflict_do_update(
            index_elements=[RecentVisit.visitor_hash],
            set_={"counted_at": now},
            where=RecentVisit.counted_at < window_start,
        )
        # RETURNING, not rowcount: the driver may not report a count for an upsert (psycopg gives -1).
        .returning(RecentVisit.visitor_hash)
    )
    if db.session.execute(claim).first() is None:
        db.session.rollback()
        return False
    db.session.execute(
        update(Article).where(Article.id == article_id).values(view_count=Article.view_count + 1)
    )
    day_row = upsert(DailyViews).values(article_id=article_id, day=now.date(), views=1)
    db.session.execute(
        day_row.on_conflict_do_update(
            index_elements=[DailyViews.article_id, DailyViews.day],
            set_={"views": DailyViews.views + 1},
        )
    )
    db.session.commit()
    _maybe_clean_up(now, window_start)
    return True


def _maybe_clean_up(now: dt.datetime, window_start: dt.datetime) -> None:
    """Every few minutes per worker: drop dedupe rows past the window and salts of past days."""
    if now - _last_cleanup["at"] < CLEANUP_EVERY:
        return
    _last_cleanup["at"] = now
    clean_up_visits(now, window_start)


def clean_up_visits(now: dt.datetime, window_start: dt.datetime) -> int:
    """Delete expired visitor hashes and old salts; returns how many hashes went."""
    removed = db.session.execute(delete(RecentVisit).where(RecentVisit.counted_at < window_start)).rowcount
    db.session.execute(delete(VisitorSalt).where(VisitorSalt.day < now.date()))
    db.session.commit()
    return removed
