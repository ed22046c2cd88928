"""Fixtures: a fresh app per test on a database made by the migrations (SQLite file, or PostgreSQL via
TEST_DATABASE_URL), its client and CLI runner, articles, a reader and staff, and a real gunicorn site.
What test modules share besides fixtures is in tests/helpers.py."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from blog import create_app
from blog.moderation.accounts import create_moderator
from blog.core.articles import import_articles
from blog.operations.commands import SAMPLES
from blog.extensions import db
from blog.mail.sender import stop_sender
from tests.helpers import (
    MODERATOR_EMAIL, PASSWORD, TEST_DATABASE_URL, ModeratorActions, ReaderActions, Site, article_source,
    browser_client, give_fresh_database, migrate,
)
from tests.servers import gunicorn


@pytest.fixture(autouse=True)
def clear_of_utc_midnight():
    """View counting keys visitors by the day (a salt that rotates at UTC midnight): a test that reads
    a page twice across midnight would see two readers. One that would start in the last 45 seconds
    of a day starts just after it instead."""
    now = dt.datetime.now(dt.timezone.utc)
    left = (now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1) - now).total_seconds()
    if left < 45:
        time.sleep(left + 1)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """The migrations, run once this session: (the SQLite file they made, the head revision). Each
    test gets a copy of that file (or, on PostgreSQL, the test database emptied to the same state),
    so every test also proves the migrations."""
    template = tmp_path_factory.mktemp("migrated") / "template.sqlite"
    uri = f"sqlite:///{template}"
    head = migrate(create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri}))
    return template, head


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
def app(app_config, migrated):
    template, head = migrated
    give_fresh_database(app_config["SQLALCHEMY_DATABASE_URI"], template, head, lambda: create_app(app_config))
    app = create_app(app_config)
    yield app
    stop_sender(app)  # before the database goes: a sender left running would take the next test's mail
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return browser_client(app, "203.0.113.7")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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


@pytest.fixture
def reader(client):
    return ReaderActions(client)


@pytest.fixture
def other_reader(app):
    return ReaderActions(browser_client(app, "198.51.100.20"))


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


ENGINE = "postgresql" if TEST_DATABASE_URL else "sqlite"


def pytest_collection_modifyitems(config, items):
    """A test marked only_on("sqlite") or only_on("postgresql") is about that engine alone: on the
    other it is deselected (not skipped, not passed), and .ci/run runs both engines."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        (dropped if marker and marker.args[0] != ENGINE else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With BLOG_NO_SKIPS set (as .ci/run does), a skipped test fails: CI must run everything."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("BLOG_NO_SKIPS") and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but BLOG_NO_SKIPS forbids skips here: {reason}"


@pytest.fixture(scope="module")
def site(tmp_path_factory, request, migrated):
    """The app under gunicorn with a fresh migrated database holding the sample articles and one admin.

    A test module may set SITE_ENV (extra environment for the server)."""
    tmp = tmp_path_factory.mktemp("site")
    uri = TEST_DATABASE_URL or f"sqlite:///{tmp / 'blog.sqlite'}"
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri}
    give_fresh_database(uri, *migrated, lambda: create_app(config))
    app = create_app(config)
    with app.app_context():
        import_articles(SAMPLES, Path(app.static_folder))
        create_moderator(MODERATOR_EMAIL, PASSWORD, name="Nurse Kim", is_admin=True)
    with gunicorn(uri, tmp, workers=2, env=getattr(request.module, "SITE_ENV", {})) as server:
        yield Site(server.base_url, app, server)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
