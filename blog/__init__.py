"""The application factory: configuration, extensions, blueprints, commands and error pages."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event
from sqlalchemy.engine import Engine

from blog import auth, cli, errors, fastpath, feeds, moderation, ops, reader, security, staff, templating, urls
from blog import public_state  # noqa: F401  (its triggers join the tables' CREATE)
from blog.config import DEFAULTS
from blog.dbutil import BUSY_TIMEOUT_MS
from blog.extensions import csrf, db, limiter, login_manager
from blog.signing import OneSignerSerializer
from blog.sqlite_maintenance import SAFETY_NET_PAGES
from blog.urls import site_base

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The app cannot start as configured; the message says how to fix it."""


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("BLOG_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    _configure(app, test_config)

    fastpath.init_app(app)  # innermost: inside the request log, security headers and ProxyFix
    ops.init_app(app)
    security.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    # Before CSRF: an anonymous request to /moderation/ is turned away before anything else runs.
    app.before_request(auth.guard_moderation_urls)
    app.before_request(security.require_form_body)  # before CSRF, which would read a JSON body as a form
    csrf.init_app(app)
    limiter.init_app(app)
    _skip_global_rate_limit_check(app)
    app.session_interface = CachedSignerSessionInterface()
    templating.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    for blueprint in (reader.bp, feeds.bp, auth.bp, moderation.bp, staff.bp):
        app.register_blueprint(blueprint)
    return app


def _skip_global_rate_limit_check(app: Flask) -> None:
    """Only for speed. Every limit here is a decorator, and a decorated view checks its own limits in
    its wrapper; Flask-Limiter's app-wide before_request check then has nothing to do but costs
    about 150 us on every request (bench/run). Flask-Limiter 4 has no public switch for it (3.x had
    auto_check), so its hook is taken out by name: the version range is pinned in pyproject.toml,
    and if the hook is not where 4.1 puts it, the app refuses to start rather than run unchecked.
    Default, application and meta limits, which only that check applies, are refused by _configure."""
    if not app.config["RATELIMIT_ENABLED"]:
        return  # Flask-Limiter registers no hook at all
    hook = getattr(limiter, "_check_request_limit", None)
    hooks = app.before_request_funcs.get(None, [])
    if hook is None or hook not in hooks:
        raise ConfigError("Flask-Limiter changed: its request hook is not where 4.1 puts it (blog/__init__.py).")
    app.before_request_funcs[None] = [f for f in hooks if f != hook]


class CachedSignerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the serializer Flask builds (its keys, salt and order)
    wrapped once per app in one that keeps its signer and derived keys (blog.signing), instead of
    a new serializer, signer and key derivation on every request."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or []))
        cached = app.extensions.get("session_signer")
        if cached is None or cached[0] != keys:
            stock = super().get_signing_serializer(app)
            if stock is None:
                return None
            cached = app.extensions["session_signer"] = (keys, OneSignerSerializer.like(stock))
        return cached[1]


def _configure(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then FLASK_* variables (and DATABASE_URL), then test_config."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("DATABASE_URL") and "FLASK_SQLALCHEMY_DATABASE_URI" not in os.environ:
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise ConfigError(
                "No SECRET_KEY: set FLASK_SECRET_KEY in the environment or SECRET_KEY in instance/config.py "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = "dev-only-not-secret"
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):  # FLASK_TRUSTED_HOSTS=blog.clinic.example (not JSON): one host or a comma list
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
    unchecked = [key for key in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META") if app.config.get(key)]
    if unchecked:
        raise ConfigError(
            f"{', '.join(unchecked)} would never be applied: rate limits here are set on the views themselves "
            "(COMMENT_RATE_LIMIT), and Flask-Limiter's app-wide check is off (blog/__init__.py)."
        )
    if app.config.get("MAIL_SERVER") and not site_base(app.config):
        raise ConfigError(
            "MAIL_SERVER is set but the site's public address is not: mail links to the site, and those links "
            "must never come from a request. Set FLASK_SITE_URL (for example https://blog.clinic.example) or "
            "FLASK_TRUSTED_HOSTS."
        )
    Path(app.instance_path).mkdir(exist_ok=True)


def normalize_database_uri(uri: str) -> str:
    """postgres:// and postgresql:// (as hosts hand them out) -> the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix):]
    return uri


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
    # Checkpoints run in a background thread under gunicorn (blog.sqlite_maintenance); this is the net.
    cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
    cursor.close()
