"""Small helpers for SQL that differs between SQLite and PostgreSQL."""
from sqlalchemy.dialects import postgresql, sqlite

from blog.extensions import db


def upsert(model):
    """An INSERT that supports .on_conflict_do_update/.on_conflict_do_nothing on either engine."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
