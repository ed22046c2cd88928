"""SQLite's connection settings, SQL that differs between SQLite and PostgreSQL, plain SQL column lists built from the models,
reading the values drivers return, and a key for the database in process-wide caches."""
from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import weakref

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from blog.extensions import db


def upsert_for(dialect: str):
    """The INSERT constructor with ON CONFLICT support for this engine kind."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert(model):
    """An INSERT that supports .on_conflict_do_update/.on_conflict_do_nothing on the app's engine."""
    return upsert_for(db.session.get_bind().dialect.name)(model)


def columns(model, names, alias: str | None = None) -> str:
    """A plain SQL column list built from the model's table: "a.id, a.slug". A name the table does
    not have fails at import, so a model and a raw statement can never silently disagree."""
    table = model.__table__
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + table.c[name].name for name in names)


_database_keys: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_next_database_key = itertools.count(1)


def database_key() -> int:
    """A number for the app's database engine that no other engine in this process ever gets, for
    every process-wide cache key: one database's cached pages, totals and salts never reach another's.
    Not id(engine): once an engine is gone its id can be reused (tests make an app, so an engine, each)."""
    engine = db.engine
    key = _database_keys.get(engine)
    if key is None:
        key = _database_keys.setdefault(engine, next(_next_database_key))
    return key


BUSY_TIMEOUT_MS = 5000  # every SQLite connection's busy timeout (below); the hot connections wait as long
# WAL checkpoints run in a background thread under gunicorn (blog.operations.sqlite_maintenance); this
# many pages make a commit checkpoint by itself, a safety net: about 40 MB of WAL.
SAFETY_NET_PAGES = 10_000


# SQLite stores what SQLAlchemy writes as text in this format; compared as text, so it must match.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def parse_date(value) -> dt.date:
    """A date column as the driver returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def parse_datetime(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: WAL for concurrent readers, a busy timeout instead of 'database is locked', foreign keys on."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints run in a background thread under gunicorn (blog.operations.sqlite_maintenance); this is the net.
    cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
    cursor.close()
