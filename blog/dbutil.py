"""Small helpers for SQL that differs between SQLite and PostgreSQL, and plain SQL on the driver's
connection for the hottest paths (the article page, the index), where SQLAlchemy's per-statement
work was most of the cost (bench/run)."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy.dialects import postgresql, sqlite

from blog.extensions import db


def upsert_for(dialect: str):
    """The INSERT constructor with ON CONFLICT support for this engine kind."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert(model):
    """An INSERT that supports .on_conflict_do_update/.on_conflict_do_nothing on the app's engine."""
    return upsert_for(db.session.get_bind().dialect.name)(model)


T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000  # the connections' busy_timeout (blog/__init__.py), kept here too


# SQLite stores what SQLAlchemy writes as text in this format; compared as text, so it must match.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


@functools.cache
def _pyformat(sql: str) -> str:
    return re.sub(r":(\w+)", r"%(\1)s", sql)


class DriverConnection:
    """A pooled DBAPI connection with SQL written once, in :name style, for either engine."""

    def __init__(self, raw, dialect: str):
        self.raw, self.dialect = raw, dialect

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def bind(self, params: dict) -> dict:
        """Parameters as this driver takes them (SQLite: dates and datetimes as SQLAlchemy stores them)."""
        if self.is_postgresql:
            return params
        return {key: value.strftime(SQLITE_DATETIME) if isinstance(value, dt.datetime)
                else value.isoformat() if isinstance(value, dt.date) else value
                for key, value in params.items()}

    def execute(self, cursor, sql: str, bound: dict):
        """Run SQL written in :name style with parameters from bind()."""
        return cursor.execute(_pyformat(sql) if self.is_postgresql else sql, bound)


@contextlib.contextmanager
def driver_connection(autocommit: bool = False) -> Iterator[DriverConnection]:
    """A connection from the app's pool, returned (and rolled back if left open) afterwards.
    `autocommit` makes each statement its own transaction on PostgreSQL: no BEGIN and COMMIT round
    trips. SQLite starts a transaction at the first write and needs no such switch."""
    engine = db.engine
    raw = engine.raw_connection()
    postgres = engine.dialect.name == "postgresql"
    try:
        if autocommit and postgres:
            raw.driver_connection.autocommit = True
        try:
            yield DriverConnection(raw, engine.dialect.name)
        finally:
            if autocommit and postgres:
                raw.driver_connection.autocommit = False
    finally:
        raw.close()


def parse_date(value) -> dt.date:
    """A date column as the driver returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def parse_datetime(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def is_sqlite_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY (any extended code): another connection holds the lock we need."""
    return isinstance(exc, sqlite3.OperationalError) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == 5


def write_with_short_waits(raw, transaction: Callable[[], T], first_wait: float = 0.00002,
                           longest_wait: float = 0.001) -> T:
    """Run a short SQLite write transaction, retrying it while another worker holds the write lock.

    SQLite's own busy handler sleeps 1 ms, then 2, 5, 10 ms and more, while the other worker's
    transaction (a view counted) holds the lock for tens of microseconds: under load the
    workers took turns sleeping and the CPU sat idle (bench/run: 18% idle, 7% with this).
    Here the busy timeout is off for the transaction and a busy attempt is rolled back (it
    changed nothing) and tried again after 20 us, doubling up to 1 ms, for up to the same 5 s
    in all; then the last error is raised. `transaction` must commit or roll back itself."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        wait, deadline = first_wait, time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return transaction()
            except sqlite3.OperationalError as exc:
                raw.rollback()
                if not is_sqlite_busy(exc) or time.monotonic() + wait > deadline:
                    raise
            time.sleep(wait)
            wait = min(wait * 2, longest_wait)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
