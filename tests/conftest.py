"""Shared fixtures: a fresh app and database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""
from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from blog import create_app
from blog.accounts import create_moderator
from blog.articles import import_articles
from blog.cli import SAMPLES
from blog.extensions import db
from tests.servers import gunicorn

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MODERATOR_EMAIL = "nurse@clinic.example"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _reset_postgres(app) -> None:
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


@pytest.fixture
def app_config(tmp_path):
    """The test configuration; tests may change it before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'blog.sqlite'}",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    if TEST_DATABASE_URL:
        _reset_postgres(app)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            db.drop_all()
        db.engine.dispose()


def browser_client(app, address: str):
    """A test client that looks like a browser at the given address."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": BROWSER_UA, "REMOTE_ADDR": address})
    return client


@pytest.fixture
def client(app):
    return browser_client(app, "203.0.113.7")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def article_source(title="Exploring Ketamine as a Promising Migraine Treatment", body=None, **fields) -> str:
    """The text of an article file with front matter."""
    fields = {"title": title, "published": "2023-10-02", **fields}
    lines = ["---"]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        else:
            lines.append(f"{key}: {value!r}" if isinstance(value, str) and ":" in value else f"{key}: {value}")
    lines.append("---")
    lines.append(body or textwrap.dedent("""\
        An intro paragraph about migraine.

        ## What it is

        1. **Bold lead.** An item.
        2. **Another.** Item two.
        """))
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_article(app, tmp_path):
    """Write an article file and import it the way an operator would; returns its slug."""
    counter = {"n": 0}

    def make(title="Exploring Ketamine as a Promising Migraine Treatment", **fields) -> str:
        counter["n"] += 1
        path = tmp_path / f"article-{counter['n']}.md"
        path.write_text(article_source(title, **fields), encoding="utf-8")
        with app.app_context():
            [result] = import_articles(path, Path(app.static_folder))
        assert result.outcome in ("created", "updated"), result.error
        return result.slug

    return make


ACTIONS = {"approved": "approve", "rejected": "reject", "spam": "spam", "pending": "restore"}


def moderate(app, comment_id: int, status: str) -> None:
    """Give a comment a status through the moderation service, as staff would (logged, counts kept)."""
    from blog.moderating import set_status

    with app.app_context():
        set_status([comment_id], ACTIONS[status], moderator=None)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class ReaderActions:
    """What a reader does: open an article and post a comment through its form."""

    def __init__(self, client):
        self.client = client

    def open(self, slug: str, **kwargs):
        return self.client.get(f"/post/{slug}", **kwargs)

    def comment(self, slug: str, name="Ana", body="Thank you for this article.", email="", parent_id="",
                website="", headers=None, **extra):
        page = self.open(slug)
        data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "name": name, "email": email,
                "body": body, "parent_id": parent_id, "website": website, **extra}
        return self.client.post(f"/post/{slug}/comments", data=data, headers=headers)


@pytest.fixture
def reader(client):
    return ReaderActions(client)


@pytest.fixture
def other_reader(app):
    return ReaderActions(browser_client(app, "198.51.100.20"))


PASSWORD = "correct horse battery staple"


class ModeratorActions:
    """What staff do: get an account (as the CLI would), sign in through the form, press buttons."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def create(self, email="nurse@clinic.example", password=PASSWORD, name="Nurse Kim", admin=False):
        from blog.accounts import create_moderator

        with self.app.app_context():
            return create_moderator(email, password, name=name, is_admin=admin).id

    def login(self, email="nurse@clinic.example", password=PASSWORD, next_url=None):
        page = self.client.get("/moderation/login")
        url = "/moderation/login" + (f"?next={next_url}" if next_url else "")
        return self.client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                           "email": email, "password": password})

    def token(self, path="/moderation/"):
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def post(self, path, data=None, token_from="/moderation/"):
        return self.client.post(path, data={"csrf_token": self.token(token_from), **(data or {})})

    def act(self, action, *ids):
        if len(ids) == 1:
            return self.post("/moderation/comments", {"one": f"{action}:{ids[0]}"})
        return self.post("/moderation/comments", {"action": action, "ids": [str(i) for i in ids]})

    def logout(self):
        return self.post("/moderation/logout")


@pytest.fixture
def staff(app):
    """A moderator's browser, not signed in yet (the account is not created either)."""
    return ModeratorActions(app, browser_client(app, "192.0.2.20"))


@pytest.fixture
def moderator(app):
    """A signed-in moderator with their own browser."""
    actions = ModeratorActions(app, browser_client(app, "192.0.2.10"))
    actions.create()
    actions.login()
    return actions


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With BLOG_NO_SKIPS set (as .ci/run does), a skipped test fails: CI must run everything."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("BLOG_NO_SKIPS") and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but BLOG_NO_SKIPS forbids skips here: {reason}"


@dataclass
class Site:
    base_url: str
    app: object
    server: object

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="module")
def site(tmp_path_factory, request):
    """The app under gunicorn with a fresh database holding the sample articles and one admin.

    A test module may set SITE_ENV (extra environment for the server)."""
    tmp = tmp_path_factory.mktemp("site")
    uri = TEST_DATABASE_URL or f"sqlite:///{tmp / 'blog.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.drop_all()
        db.create_all()
        import_articles(SAMPLES, Path(app.static_folder))
        create_moderator(MODERATOR_EMAIL, PASSWORD, name="Nurse Kim", is_admin=True)
    with gunicorn(uri, tmp, workers=2, env=getattr(request.module, "SITE_ENV", {})) as server:
        yield Site(server.base_url, app, server)
    with app.app_context():
        if TEST_DATABASE_URL:
            db.drop_all()
        db.engine.dispose()
