"""One log line per request with a request id (never an address, a query string or a cookie), and
the app's logging set up on standard error."""
from __future__ import annotations

import logging
import os
import re
import sys
import time

from flask import Flask

log = logging.getLogger("blog.requests")
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")  # \Z: "$" would let a final newline through
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a decoded %0A in a path must not start a fake log line
# A token in a path is a key (the links in readers' mails): logged as "…", never as itself.
_SECRET_IN_PATH = re.compile(r"^(.*/notifications/(?:confirm|unsubscribe)/)[^/]+")
_SECRET_IN_PATH_ANYWHERE = re.compile(r"(/notifications/(?:confirm|unsubscribe)/)[^/\s\]]+")
_ADDRESS_FIRST = re.compile(r"^\s*(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*|<local>)\s+-\s")


class RequestLog:
    """WSGI middleware: one log line per request (id, method, path without the query string, which
    can hold tokens, and without the token of a mail's link; status, time; never an address or a
    cookie) and the id in X-Request-ID.

    At the WSGI layer rather than in Flask hooks: it sees every response, static files and error
    pages included, and costs a fraction of two hooks on every request (bench/run)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else os.urandom(8).hex()
        environ["blog.request_id"] = request_id
        status = ["-"]

        def start_with_id(line, headers, exc_info=None):
            status[0] = line.split(" ", 1)[0]
            headers.append(("X-Request-ID", request_id))
            return start_response(line, headers, exc_info) if exc_info else start_response(line, headers)

        body = self.wsgi_app(environ, start_with_id)
        if log.isEnabledFor(logging.INFO):
            path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")
            log.info("rid=%s %s %s %s %.1fms", request_id, environ.get("REQUEST_METHOD", "-"),
                     _SECRET_IN_PATH.sub(r"\1…", _CONTROL.sub("?", path)), status[0],
                     (time.perf_counter() - started) * 1000)
        return body


class _NoAddresses(logging.Filter):
    """Drops the development server's request lines ("127.0.0.1 - - [date] ..."), which carry the
    client's address; our own request line (above) says the same without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _ADDRESS_FIRST.match(record.getMessage())


class _NoMailTokens(logging.Filter):
    """Flask's own line for an unhandled error ("Exception on /notifications/confirm/<token> [POST]")
    names the path: the token of a mail's link is written as "…" there too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/notifications/" in record.msg:
            record.msg = _SECRET_IN_PATH_ANYWHERE.sub(r"\1…", record.msg)
        return True


def configure_logging(app: Flask) -> None:
    """Logs go to standard error, once per process."""
    if not any(isinstance(f, _NoMailTokens) for f in app.logger.filters):
        app.logger.addFilter(_NoMailTokens())
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
    app.wsgi_app = RequestLog(app.wsgi_app)
