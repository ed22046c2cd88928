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


def configure_logging(app: Flask) -> None:
    """Logs go to standard error, once per process."""
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
