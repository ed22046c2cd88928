"""Migrations: an empty database upgrades to head, and the models agree with the migrations."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from blog.extensions import db


def test_an_empty_database_upgrades_to_head_and_matches_the_models(app):
    with app.app_context():
        db.drop_all()
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        version = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {"article", "comment", "daily_views", "moderator", "moderation_event"} <= tables
    assert diff == []
    assert version == "0003"


def test_init_db_ends_at_the_same_schema_as_db_upgrade(app, runner):
    with app.app_context():
        db.drop_all()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0  # idempotent
    with app.app_context():
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
