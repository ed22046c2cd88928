"""What several test modules share: the people who use the site (a reader, staff), their browsers,
small readers of the database, and a database made by the migrations. Fixtures live in conftest.py."""
from __future__ import annotations

import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from blog.extensions import db
from blog.core.models import Article, Comment, RecentVisit

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MODERATOR_EMAIL = "nurse@clinic.example"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
KETAMINE = "exploring-ketamine-as-a-promising-migraine-treatment"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


# The database: made by running the migrations, as an operator's `flask db upgrade` makes it --------

def migrate(app) -> str:
    """Run every migration on the app's database; returns the head revision."""
    import flask_migrate

    from blog.operations.commands import use_migrations

    use_migrations(app)
    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return version


def drop_everything() -> None:
    """An empty database (inside an app context): the models' tables and Alembic's record of them."""
    db.drop_all()
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()


def give_fresh_database(uri: str, template: Path, head: str, app_factory) -> None:
    """Before an app opens it: a database at the migrations' head with only the migrations' own rows.
    SQLite: a copy of the file the migrations made once this session. PostgreSQL: its tables
    emptied, or, if a test left another schema behind, everything dropped and migrated again."""
    if uri.startswith("sqlite:///"):
        shutil.copyfile(template, uri.removeprefix("sqlite:///"))
        return
    app = app_factory()
    with app.app_context():
        with db.engine.begin() as connection:
            found = connection.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar() if found else None
            if version == head:
                tables = ", ".join(table.name for table in db.metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                connection.execute(text("INSERT INTO article_list_version (id, version) VALUES (1, 0)"))
        if version != head:
            drop_everything()
        db.session.remove()
        db.engine.dispose()
    if version != head:
        migrate(app)


# Small readers of the database ---------------------------------------------------------------------

def stored_comments(app) -> list[Comment]:
    with app.app_context():
        return db.session.execute(db.select(Comment).order_by(Comment.id)).scalars().all()


def view_count(app, slug):
    with app.app_context():
        return db.session.execute(db.select(Article.view_count).filter_by(slug=slug)).scalar_one()


def visits_stored(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(RecentVisit)).scalar_one()


# Articles and people -----------------------------------------------------------------------------

def browser_client(app, address: str):
    """A test client that looks like a browser at the given address."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": BROWSER_UA, "REMOTE_ADDR": address})
    return client


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


ACTIONS = {"approved": "approve", "rejected": "reject", "spam": "spam", "pending": "restore"}


def moderate(app, comment_id: int, status: str) -> None:
    """Give a comment a status through the moderation service, as staff would (logged, counts kept)."""
    from blog.moderation.actions import set_status

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


PASSWORD = "correct horse battery staple"


class ModeratorActions:
    """What staff do: get an account (as the CLI would), sign in through the form, press buttons."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def create(self, email="nurse@clinic.example", password=PASSWORD, name="Nurse Kim", admin=False):
        from blog.moderation.accounts import create_moderator

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


@dataclass
class Site:
    base_url: str
    app: object
    server: object

    def url(self, path: str) -> str:
        return self.base_url + path



# In a real browser (tests/e2e) ---------------------------------------------------------------------

def sign_in(page, site):
    page.goto(site.url("/moderation/login"))
    page.fill("#email", MODERATOR_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(site.url("/moderation/"))


def screenshot(page, name: str):
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


AXE = Path(__file__).resolve().parent / "e2e" / "vendor" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page, as readable lines."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
