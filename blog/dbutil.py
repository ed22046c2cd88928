"""Small helpers for SQL that differs between SQLite and PostgreSQL."""
from sqlalchemy.dialects import postgresql, sqlite

from blog.extensions import db


def upsert_for(dialect: str):
    """The INSERT constructor with ON CONFLICT support for this engine kind."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert(model):
    """An INSERT that supports .on_conflict_do_update/.on_conflict_do_nothing on the app's engine."""
    return upsert_for(db.session.get_bind().dialect.name)(model)
