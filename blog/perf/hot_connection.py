"""Only for speed: plain SQL on one dedicated driver connection per worker thread, for the hottest
paths (the article page, the index, the comment POST, the queue), where SQLAlchemy's per-statement
and pool work was most of the cost (bench/run); and short busy waits on SQLite."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from blog.core.sql import BUSY_TIMEOUT_MS, SQLITE_DATETIME
from blog.extensions import db

T = TypeVar("T")


@functools.cache
def _pyformat(sql: str) -> str:
    return re.sub(r":(\w+)", r"%(\1)s", sql)


class DriverConnection:
    """A hot connection: SQL written once, in :name style, for either engine, on its DBAPI
    connection (raw); Core statements on its SQLAlchemy Connection (core)."""

    def __init__(self, core, dialect: str):
        self.core, self.raw, self.dialect = core, core.connection.dbapi_connection, dialect
        self.pid, self.closed = os.getpid(), False

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            self.core.close()

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


class _HotConnections:
    """One engine's hot connections: one per thread, and a list of this process's to close them all."""

    def __init__(self, engine):
        self.engine, self.local, self.lock, self.opened = engine, threading.local(), threading.Lock(), []
        event.listen(engine, "engine_disposed", self.close_all)

    def get(self) -> DriverConnection:
        held = getattr(self.local, "held", None)
        if held is None or held.pid != os.getpid() or held.closed:
            held = self.local.held = _open_hot_connection(self.engine)
            with self.lock:
                self.opened.append(held)
        return held

    def discard(self, held: DriverConnection) -> None:
        self.local.held = None
        with self.lock:
            if held in self.opened:
                self.opened.remove(held)
        held.close()

    def close_all(self, engine=None) -> None:
        """On engine.dispose(): close this process's hot connections (never a parent's, after a fork)."""
        with self.lock:
            mine = [held for held in self.opened if held.pid == os.getpid()]
            self.opened = [held for held in self.opened if held not in mine]
        for held in mine:
            held.close()


_hot_by_engine: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_hot_lock = threading.Lock()


@contextlib.contextmanager
def hot_connection() -> Iterator[DriverConnection]:
    """This thread's own connection for the hottest paths (article page, index), kept out of the pool.

    Checking a connection out of SQLAlchemy's pool and back in, and switching its settings each
    time, cost more than the statements (bench/run). This one is set up once, in autocommit, so
    each statement is its own transaction (no BEGIN/COMMIT round trips, no lock held between
    statements); on SQLite with no busy timeout (run_with_short_waits waits instead). Each process and thread has its own
    (never shared across gunicorn's fork): one more connection per worker thread than the pool's.
    A connection whose work raised is closed and replaced on next use (e.g. a restarted server);
    engine.dispose() closes them all."""
    engine = db.engine
    hot = _hot_by_engine.get(engine)
    if hot is None:
        with _hot_lock:
            hot = _hot_by_engine.get(engine) or _hot_by_engine.setdefault(engine, _HotConnections(engine))
    held = hot.get()
    try:
        yield held
    except BaseException:
        hot.discard(held)
        raise


def _open_hot_connection(engine) -> DriverConnection:
    # Connecting runs the connect-time setup (pragmas); then the connection leaves the pool.
    core = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "sqlite":
        core.exec_driver_sql("PRAGMA busy_timeout=0")
        core.rollback()
    core.detach()
    return DriverConnection(core, engine.dialect.name)


def hot_fetchall(sql: str, params: dict) -> list[tuple]:
    """All rows of one plain SQL statement (:name style) on this thread's hot connection: a read,
    or a write with RETURNING, which is its own transaction (autocommit), committed on return."""
    with hot_connection() as connection:
        bound = connection.bind(params)

        def run() -> list[tuple]:
            cursor = connection.raw.cursor()
            try:
                return connection.execute(cursor, sql, bound).fetchall()
            finally:
                cursor.close()

        return run_with_short_waits(connection, run)


def hot_rows(statement, params: dict | None = None) -> list:
    """All rows of a Core SELECT, read on this thread's hot connection (typed as SQLAlchemy types
    them): for reads on every staff request, without the session's and pool's per-request work."""
    with hot_connection() as connection:
        def read() -> list:
            try:
                return connection.core.execute(statement, params or {}).all()
            finally:
                connection.core.rollback()  # ends SQLAlchemy's logical transaction; autocommit below

        return run_with_short_waits(connection, read)


def is_sqlite_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY (any extended code): another connection holds the lock we need."""
    exc = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's error
    return isinstance(exc, sqlite3.OperationalError) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == 5


def run_with_short_waits(connection: DriverConnection, transaction: Callable[[], T], first_wait: float = 0.00002,
                        longest_wait: float = 0.001) -> T:
    """Run a short transaction on a hot connection; on SQLite, retry it while another worker holds the lock.

    SQLite's own busy handler sleeps 1 ms, then 2, 5, 10 ms and more, while the other worker's
    transaction (a view counted) holds the lock for tens of microseconds: under load the
    workers took turns sleeping and the CPU sat idle (bench/run: 18% idle, 7% with this).
    Hot connections have no busy timeout; a busy attempt is rolled back (it changed nothing)
    and tried again after 20 us, doubling up to 1 ms, for up to the usual 5 s in all; then the
    last error is raised. `transaction` must commit or roll back itself."""
    if connection.is_postgresql:
        return transaction()
    wait, deadline = first_wait, time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return transaction()
        except (sqlite3.OperationalError, OperationalError) as exc:
            connection.raw.rollback()
            if not is_sqlite_busy(exc) or time.monotonic() + wait > deadline:
                raise
        time.sleep(wait)
        wait = min(wait * 2, longest_wait)
