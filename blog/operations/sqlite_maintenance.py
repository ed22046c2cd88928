"""SQLite under a multi-process server: WAL checkpoints in a background thread, not in requests.

By default SQLite checkpoints the write-ahead log inside whichever commit crosses 1,000 pages,
and that commit then waits for a copy and an fsync: the benchmark saw p99 latency at six times
the median. Each worker instead runs a passive checkpoint every second in a daemon thread (it
never blocks readers or writers); the automatic one stays, much larger, as a safety net
(blog.core.sql.SAFETY_NET_PAGES)."""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError


log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0


def start_checkpointer(app) -> threading.Thread | None:
    """Start the checkpoint thread for this process, for SQLite databases only."""
    from blog.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None

    def run() -> None:
        while True:
            time.sleep(INTERVAL_SECONDS)
            try:
                with engine.connect() as connection:
                    connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
            except SQLAlchemyError as exc:  # a busy or vanished database: try again next time
                log.warning("WAL checkpoint skipped: %s", exc.__class__.__name__)

    thread = threading.Thread(target=run, name="sqlite-checkpointer", daemon=True)
    thread.start()
    return thread
