"""Operational endpoints and logging: /healthz, and one log line per request with a request id."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Blueprint, Flask, g, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db

bp = Blueprint("ops", __name__)
log = logging.getLogger("blog.requests")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_ADDRESS_FIRST = re.compile(r"^\s*(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*|<local>)\s+-\s")


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not; small JSON either way."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def _start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
    g.request_started = time.perf_counter()


def _log_request(response):
    """One line: id, method, path (no query string: it can hold tokens), status, time. No address, no cookies."""
    elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    request_id = g.get("request_id", "-")
    response.headers["X-Request-ID"] = request_id
    log.info("rid=%s %s %s %s %.1fms", request_id, request.method, request.path, response.status_code, elapsed)
    return response


class _NoAddresses(logging.Filter):
    """Drops the development server's request lines ("127.0.0.1 - - [date] ..."), which carry the
    client's address; our own request line (above) says the same without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _ADDRESS_FIRST.match(record.getMessage())


def configure_logging(app: Flask) -> None:
    """Logs go to standard error, once per process."""
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoAddresses) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(_NoAddresses())
    root = logging.getLogger("blog")
    if not any(getattr(h, "_blog_handler", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._blog_handler = True
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.register_blueprint(bp)
