"""Several app servers sharing one database, and rate limits shared through Redis (real gunicorn)."""
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from blog.extensions import db
from blog.core.models import Article, Comment
from tests.servers import gunicorn

pytestmark = pytest.mark.load
SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_two_app_servers_with_several_workers_count_every_view_and_comment_once(app, make_article, tmp_path):
    make_article()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    no_csrf = {"FLASK_WTF_CSRF_ENABLED": "false"}
    with gunicorn(uri, tmp_path, workers=2, env=no_csrf) as first, gunicorn(uri, tmp_path, workers=2, env=no_csrf) as second:
        def client(n: int) -> list[tuple[str, int]]:
            results = []
            for i in range(8):
                server = (first, second)[(n + i) % 2]
                visitor = {"User-Agent": f"Mozilla/5.0 (visitor {n}-{i})"}
                results.append(("view", server.request("GET", f"/post/{SLUG}", headers=visitor).status))
                form = {"name": f"R{n}", "body": f"comment {n}-{i}"}
                results.append(("comment", server.request("POST", f"/post/{SLUG}/comments", form=form).status))
            return results

        with ThreadPoolExecutor(8) as pool:
            results = [r for batch in pool.map(client, range(8)) for r in batch]
    views_ok = sum(1 for kind, status in results if kind == "view" and status == 200)
    comments_ok = sum(1 for kind, status in results if kind == "comment" and status == 303)
    assert all(status < 500 for _, status in results)
    assert views_ok == comments_ok == 64
    with app.app_context():
        db.session.expire_all()
        assert db.session.execute(db.select(Article.view_count)).scalar_one() == views_ok
        bodies = db.session.execute(db.select(Comment.body_raw)).scalars().all()
    assert sorted(bodies) == sorted(f"comment {n}-{i}" for n in range(8) for i in range(8))


@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379")
def test_comment_rate_limits_hold_across_app_servers_with_redis(app, make_article, tmp_path):
    make_article()
    env = {"FLASK_WTF_CSRF_ENABLED": "false", "FLASK_RATELIMIT_ENABLED": "true",
           "FLASK_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
           "FLASK_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "FLASK_COMMENT_RATE_LIMIT": "3 per minute"}
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with gunicorn(uri, tmp_path, workers=2, env=env) as first, gunicorn(uri, tmp_path, workers=2, env=env) as second:
        statuses = [server.request("POST", f"/post/{SLUG}/comments", form={"name": "A", "body": f"c{n}"}).status
                    for n, server in enumerate([first, second, first, second, first])]
        limited = second.request("POST", f"/post/{SLUG}/comments", form={"name": "A", "body": "kept text"})
    assert statuses == [303, 303, 303, 429, 429]
    assert limited.status == 429 and "kept text" in limited.body and "faster than we allow" in limited.body
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Comment)).scalar_one() == 3
