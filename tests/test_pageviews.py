"""Counting views: once per visitor per 30 minutes, never bots or HEAD, nothing identifying stored."""
import datetime as dt
import sqlite3
import threading

import pytest

from sqlalchemy import inspect, text

from blog.extensions import db
from blog.core.models import Article, DailyViews, RecentVisit, VisitorSalt, utcnow
from blog.readers.pageviews import clean_up_visits, is_bot, record_view
from tests.helpers import BROWSER_UA, view_count, visits_stored



def test_first_visit_counts_and_a_reload_does_not(app, client, make_article):
    slug = make_article()
    assert "1 view ·" in client.get(f"/post/{slug}").get_data(as_text=True)
    assert "1 view ·" in client.get(f"/post/{slug}").get_data(as_text=True)
    assert view_count(app, slug) == 1


def test_another_visitor_counts_again(app, client, make_article):
    slug = make_article()
    client.get(f"/post/{slug}")
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.1"})
    client.get(f"/post/{slug}", headers={"User-Agent": BROWSER_UA + " Firefox"})
    assert view_count(app, slug) == 3


def test_the_same_visitor_counts_again_after_thirty_minutes(app, make_article):
    slug = make_article()
    start = dt.datetime(2026, 3, 1, 10, 0)
    with app.app_context():
        counted = [record_view(slug, "203.0.113.9", BROWSER_UA, now=start + dt.timedelta(minutes=m))
                   for m in (0, 10, 29, 31, 45, 62)]
    assert counted == [1, None, None, 2, None, 3]  # the new total when counted
    assert view_count(app, slug) == 3


def test_head_requests_and_bots_do_not_count(app, client, make_article):
    slug = make_article()
    assert client.head(f"/post/{slug}").status_code == 200
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "",
                  "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; bingbot/2.0)"):
        assert client.get(f"/post/{slug}", headers={"User-Agent": agent}).status_code == 200
    assert view_count(app, slug) == 0


def test_bot_filter_lets_browsers_through():
    assert not is_bot(BROWSER_UA)
    assert not is_bot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0")
    assert is_bot("Mozilla/5.0 AppleWebKit/537.36 (compatible; GPTBot/1.1; +https://openai.com/gptbot)")


def test_views_are_counted_per_day(app, client, make_article):
    slug = make_article()
    client.get(f"/post/{slug}")
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.1"})
    with app.app_context():
        rows = db.session.execute(db.select(DailyViews)).scalars().all()
        assert [(r.day, r.views) for r in rows] == [(utcnow().date(), 2)]


def test_no_address_or_user_agent_is_stored_anywhere(app, client, make_article):
    slug = make_article()
    address, agent = "203.0.113.77", "Mozilla/5.0 UniqueAgentString/9.9"
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": address}, headers={"User-Agent": agent})
    with app.app_context():
        dump = []
        for table in inspect(db.engine).get_table_names():
            dump += [repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table}"))]
    everything = "\n".join(dump)
    assert view_count(app, slug) == 1
    assert address not in everything and "UniqueAgentString" not in everything


def test_old_visitor_hashes_and_salts_are_cleaned_up(app, make_article):
    slug = make_article()
    yesterday = dt.datetime(2026, 3, 1, 23, 50)
    with app.app_context():
        record_view(slug, "203.0.113.9", BROWSER_UA, now=yesterday)
        now = yesterday + dt.timedelta(minutes=40)
        record_view(slug, "203.0.113.10", BROWSER_UA, now=now)
        clean_up_visits(now, now - dt.timedelta(minutes=30))
        assert db.session.execute(db.select(db.func.count()).select_from(RecentVisit)).scalar_one() == 1
        assert [s.day for s in db.session.execute(db.select(VisitorSalt)).scalars()] == [now.date()]



def test_unknown_or_future_articles_count_nothing_and_keep_no_visitor(app, client, make_article):
    """The view is claimed before the article is known to be published; a 404 must undo the claim."""
    future = make_article("Coming Soon", published="2999-01-01")
    assert client.get("/post/no-such-article").status_code == 404
    assert client.get(f"/post/{future}").status_code == 404
    assert visits_stored(app) == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.sum(Article.view_count))).scalar_one() == 0
        assert db.session.execute(db.select(DailyViews)).first() is None


def test_the_page_shows_the_count_including_this_view(app, client, make_article):
    slug = make_article()
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.1"})
    html = client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.2"}).get_data(as_text=True)
    assert "2 views ·" in html and view_count(app, slug) == 2 and visits_stored(app) == 2


@pytest.mark.only_on("postgresql")  # SQLite: synchronous=NORMAL for every transaction (blog/core/sql.py)
def test_a_counted_view_leaves_the_connection_committing_synchronously(app, client, make_article):
    """On PostgreSQL the view statement commits without waiting for the WAL flush; that setting
    must end with its own transaction, or comments stored later on the same pooled connection
    would lose their durability too."""
    slug = make_article()
    for n in range(8):  # enough to reuse every pooled connection
        client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": f"198.51.100.{n}"})
    assert view_count(app, slug) == 8
    with app.app_context():
        for _ in range(8):
            with db.engine.connect() as connection:
                assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


@pytest.mark.only_on("sqlite")  # PostgreSQL writers wait on row locks, not a database lock
def test_a_view_waits_out_another_workers_write_lock_and_still_counts(app, client, make_article):
    """SQLite: while another process holds the write lock, the view is retried (with short waits
    instead of SQLite's long sleeps) until the lock is free; it counts once and the connection
    gets its busy timeout back for everything else."""
    slug = make_article()
    with app.app_context():
        path = db.engine.url.database
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.1"})  # the day's salt exists
    other_worker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other_worker.execute("BEGIN IMMEDIATE")  # holds the write lock, as a worker mid-commit does
    releaser = threading.Timer(0.3, other_worker.execute, ("COMMIT",))
    releaser.start()
    try:
        page = client.get(f"/post/{slug}")
    finally:
        releaser.join()
        other_worker.close()
    assert page.status_code == 200 and "2 views ·" in page.get_data(as_text=True)
    assert view_count(app, slug) == 2 and visits_stored(app) == 2
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
