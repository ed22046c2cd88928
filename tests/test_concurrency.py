"""Many readers at once against one database: every fresh view counted once, every comment stored once."""
from concurrent.futures import ThreadPoolExecutor

from blog.extensions import db
from blog.core.models import Article, Comment, DailyViews
from tests.helpers import ReaderActions, browser_client

THREADS = 8
VISITORS_PER_THREAD = 6


def test_parallel_readers_are_counted_exactly_and_their_comments_stored_once(app, make_article):
    slug = make_article()

    def visit_and_comment(thread: int) -> list[int]:
        statuses = []
        for n in range(VISITORS_PER_THREAD):
            reader = ReaderActions(browser_client(app, f"10.{thread}.0.{n}"))
            reader.open(slug)  # a reload by the same visitor must not count twice
            statuses.append(reader.comment(slug, name=f"Reader {thread}-{n}", body=f"Comment {thread}-{n}").status_code)
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = [s for batch in pool.map(visit_and_comment, range(THREADS)) for s in batch]

    visitors = THREADS * VISITORS_PER_THREAD
    assert statuses == [303] * visitors
    with app.app_context():
        assert db.session.execute(db.select(Article.view_count)).scalar_one() == visitors
        assert db.session.execute(db.select(DailyViews.views)).scalar_one() == visitors
        bodies = db.session.execute(db.select(Comment.body_raw)).scalars().all()
    assert sorted(bodies) == sorted(f"Comment {t}-{n}" for t in range(THREADS) for n in range(VISITORS_PER_THREAD))
