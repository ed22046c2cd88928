"""Load and faults on a real gunicorn: 32 concurrent clients, a worker killed mid-load, an import killed mid-way."""
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from blog.core.content import render_markdown
from blog.extensions import db
from blog.core.models import Article, Comment
from tests.helpers import article_source
from tests.servers import ROOT, gunicorn

pytestmark = pytest.mark.load
SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"
CLIENTS = 32
LOAD_ENV = {"FLASK_WTF_CSRF_ENABLED": "false", "GUNICORN_WORKERS": "3"}


class Tally:
    """What the clients saw: successful views, acknowledged comments, errors, server errors."""

    def __init__(self):
        self.lock = threading.Lock()
        self.views = 0
        self.acknowledged: list[str] = []
        self.attempted: list[str] = []
        self.server_errors = 0
        self.connection_errors = 0
        self.last_success = 0.0


def drive(server, seconds: float, tally: Tally, during=None):
    """CLIENTS threads alternating article views (each a fresh visitor) and comment posts, for a bounded time."""
    stop_at = time.monotonic() + seconds

    def client(n: int):
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            try:
                if i % 2:
                    reply = server.request("GET", f"/post/{SLUG}", headers={"User-Agent": f"Mozilla/5.0 c{n}-{i}"})
                    ok = reply.status == 200
                    with tally.lock:
                        tally.views += ok
                else:
                    body = f"load comment {n}-{i}"
                    with tally.lock:
                        tally.attempted.append(body)
                    reply = server.request("POST", f"/post/{SLUG}/comments", form={"name": f"C{n}", "body": body})
                    ok = reply.status == 303
                    if ok:
                        with tally.lock:
                            tally.acknowledged.append(body)
                with tally.lock:
                    tally.server_errors += reply.status >= 500
                    if ok:
                        tally.last_success = time.monotonic()
            except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-response by the kill
                with tally.lock:
                    tally.connection_errors += 1

    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        futures = [pool.submit(client, n) for n in range(CLIENTS)]
        if during:
            during()
        for future in futures:
            future.result()


def stored(app):
    with app.app_context():
        db.session.expire_all()
        views = db.session.execute(db.select(Article.view_count).filter_by(slug=SLUG)).scalar_one()
        bodies = db.session.execute(db.select(Comment.body_raw)).scalars().all()
    return views, bodies


def integrity_ok(app) -> bool:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return True  # PostgreSQL has no integrity_check; its WAL makes commits durable
        return db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"


def test_32_concurrent_clients_lose_nothing_and_get_no_server_error(app, make_article, tmp_path):
    make_article()
    tally = Tally()
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, workers=3, env=LOAD_ENV) as server:
        drive(server, seconds=4, tally=tally)
    views, bodies = stored(app)
    assert tally.server_errors == 0 and tally.connection_errors == 0
    assert tally.views > 50 and len(tally.acknowledged) > 50
    assert views == tally.views
    assert sorted(bodies) == sorted(tally.acknowledged)  # every acknowledged comment, exactly once
    assert integrity_ok(app)


def test_a_worker_killed_mid_load_loses_nothing_acknowledged(app, make_article, tmp_path):
    make_article()
    tally = Tally()
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, workers=3, env=LOAD_ENV) as server:
        killed = []

        def kill_a_worker():
            time.sleep(1.5)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append((victim, time.monotonic()))

        drive(server, seconds=7, tally=tally, during=kill_a_worker)  # room after a late kill on a busy machine
        assert server.request("GET", "/healthz").status == 200
        assert killed and tally.last_success > killed[0][1] + 1  # still answering well after the kill
        assert killed[0][0] not in server.worker_pids()
    views, bodies = stored(app)
    assert tally.server_errors == 0
    assert len(bodies) == len(set(bodies))  # nothing stored twice
    assert set(tally.acknowledged) <= set(bodies) <= set(tally.attempted)
    # Views: every 200 was counted; a request cut off by the kill may have been counted without an answer.
    assert tally.views <= views <= tally.views + tally.connection_errors
    assert integrity_ok(app)


def test_an_import_killed_mid_way_leaves_whole_articles_only(app, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    sources = {}
    for n in range(400):
        slug = f"article-{n:03d}"
        text = article_source(title=f"Article {n:03d}", slug=slug,
                              body=f"Intro {n}.\n\n## Part\n\n" + "1. **Lead.** text\n" * 40)
        (folder / f"{slug}.md").write_text(text)
        sources[slug] = text
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")},
           "FLASK_SECRET_KEY": "x", "FLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "BLOG_INSTANCE_PATH": str(tmp_path)}
    command = [sys.executable, "-m", "flask", "--app", "app", "import-articles", str(folder)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def imported() -> int:
        with app.app_context():
            return db.session.execute(db.select(db.func.count()).select_from(Article)).scalar_one()

    deadline = time.monotonic() + 30
    while imported() < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    count = imported()
    assert 0 < count < 400, "the kill should land in the middle of the import"
    assert integrity_ok(app)
    with app.app_context():
        for article in db.session.execute(db.select(Article)).scalars():
            body = sources[article.slug].split("---\n", 2)[2].strip("\n")
            assert article.body_markdown == body and article.body_html == render_markdown(body)
            assert article.title == article.slug.replace("article-", "Article ")
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0 and imported() == 400
    assert rerun.stdout.count("unchanged:") == count
