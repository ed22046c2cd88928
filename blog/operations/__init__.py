"""What the operator uses: flask commands (database, articles, a whole blog moved in, accounts, backup,
export, purge), /healthz, the request log, and SQLite's WAL checkpoints under gunicorn."""
from __future__ import annotations

from flask import Flask

from blog.operations import commands, health, import_commands, request_log


def init_app(app: Flask) -> None:
    """The request log wraps the app (outside the fast path, inside the security headers)."""
    request_log.init_app(app)
    app.register_blueprint(health.bp)
    commands.init_app(app)
    app.cli.add_command(import_commands.import_feed_command)
