"""Migrations: an empty database upgrades to head, and the models agree with the migrations."""
import subprocess
import sys
import warnings

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from blog.operations.commands import use_migrations
from blog.readers.comment_service import approved_comment_by
from blog.extensions import db
from blog.core.models import Article, DailyViews
from tests.helpers import drop_everything


def schema_differences(connection) -> list:
    """What Alembic would change to make the database match the models. SQLAlchemy cannot reflect
    SQLite's expression indexes (lower(author_email)) and says so; Alembic then skips them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


@pytest.fixture(autouse=True)
def migrations(request, app):
    """Flask-Migrate bound to the test app, as `flask db ...` and init-db bind it."""
    if "lazily" not in request.node.name:
        use_migrations(app)


def test_flask_db_commands_bind_flask_migrate_lazily(app, runner):
    assert "migrate" not in app.extensions
    with app.app_context():
        drop_everything()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output


def test_a_web_worker_never_imports_alembic(tmp_path):
    code = ("import sys; from blog import create_app; "
            f"create_app({{'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/b.sqlite'}}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'flask_migrate')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_empty_database_upgrades_to_head_and_matches_the_models(app):
    with app.app_context():
        drop_everything()
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            diff = schema_differences(connection)
        version = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {"article", "comment", "daily_views", "moderator", "moderation_event"} <= tables
    assert diff == []
    assert version == "0014"


def test_init_db_ends_at_the_same_schema_as_db_upgrade(app, runner):
    with app.app_context():
        drop_everything()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0  # idempotent
    with app.app_context():
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def test_a_database_upgraded_by_migrations_counts_views_as_a_new_one_does(app, client, make_article):
    """SQLite counts a view with triggers, and both databases keep the article list's version with
    them: db upgrade must create the same ones create_all does."""
    def triggers() -> list[str]:
        with db.engine.connect() as connection:
            found = connection.execute(db.text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger'" if is_sqlite else
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")).scalars().all()
            if not is_sqlite:  # and the functions they run
                found += connection.execute(db.text(
                    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = current_schema() AND p.prokind = 'f'")).scalars().all()
            return sorted(found)

    with app.app_context():
        is_sqlite = db.engine.dialect.name == "sqlite"
        drop_everything()
        db.create_all()  # the models' own DDL, with the triggers the models attach
        created = triggers()
        drop_everything()
        if not is_sqlite:
            for function in ("comment_public_changed()", "article_page_changed()", "refresh_public_comments(integer)",
                             "article_list_changed()"):
                db.session.execute(db.text(f"DROP FUNCTION {function}"))
            db.session.commit()
        flask_migrate.upgrade()
        assert triggers() == created and len(created) == (9 if is_sqlite else 3 + 4)
    slug = make_article()
    client.get(f"/post/{slug}")
    client.get(f"/post/{slug}", environ_overrides={"REMOTE_ADDR": "198.51.100.7"})
    with app.app_context():
        article = db.session.execute(db.select(Article).filter_by(slug=slug)).scalar_one()
        days = db.session.execute(db.select(DailyViews.views).filter_by(article_id=article.id)).scalars().all()
    assert article.view_count == 2 and days == [2]


def test_returning_commenters_are_found_by_an_index_after_create_all_and_after_upgrade(app):
    """Every comment POST with an email asks whether it has an approved comment already, in any
    case: a scan of every approved comment took 58 ms at 100,000 comments (bench/generate.py)."""
    def plan() -> str:
        query = str(approved_comment_by("Reader@Example.org").compile(
            db.engine, compile_kwargs={"literal_binds": True}))
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query).all()
            else:  # a tiny table: make the planner show whether the index can serve at all
                connection.exec_driver_sql("SET enable_seqscan = off")
                rows = connection.exec_driver_sql("EXPLAIN " + query).all()
        return " ".join(str(row) for row in rows)

    with app.app_context():
        drop_everything()
        db.create_all()
        assert "ix_comment_author_email_lower" in plan()
        drop_everything()
        flask_migrate.upgrade()
        assert "ix_comment_author_email_lower" in plan()


def test_downgrading_the_newest_migrations_and_upgrading_again_keeps_every_trigger(app):
    """0008-0010 add and drop columns in place: a rebuilt table would lose the triggers that keep
    comment counts, page versions and view counts (and SQLite's rebuild fails on them)."""
    def triggers() -> list[str]:
        sql = ("SELECT sql FROM sqlite_master WHERE type = 'trigger'" if db.engine.dialect.name == "sqlite" else
               "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")
        with db.engine.connect() as connection:
            return sorted(connection.execute(db.text(sql)).scalars())

    with app.app_context():
        at_head = triggers()
        flask_migrate.downgrade(revision="0007")
        assert "old_link" not in inspect(db.engine).get_table_names()
        assert len(triggers()) == len(at_head)
        flask_migrate.upgrade()
        assert triggers() == at_head
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
