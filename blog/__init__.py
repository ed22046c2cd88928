"""The application factory: configuration, extensions, then each package in order: perf (the fast path,
innermost), operations (request log, health, commands), core (security middleware, URL converters,
templates, errors), moderation (its guard, before CSRF), readers."""
from __future__ import annotations

import os
from urllib.parse import urlsplit
from pathlib import Path

from flask import Flask

from blog import core, mail, moderation, operations, perf, readers
from blog.config import DEFAULTS, ConfigError, settle_switches
from blog.core.security import refuse_nul_in_path, require_form_body
from blog.core.urls import site_base
from blog.extensions import csrf, db, limiter, login_manager

__all__ = ["ConfigError", "create_app"]
ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("BLOG_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    _configure(app, test_config)

    perf.install_fast_path(app)  # WSGI middleware, innermost first: fast path, request log, security
    operations.init_app(app)
    core.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    moderation.init_app(app)  # its guard runs before CSRF: an anonymous POST is a clean 401
    app.before_request(require_form_body)  # before CSRF, which would read a JSON body as a form
    app.before_request(refuse_nul_in_path)
    csrf.init_app(app)
    limiter.init_app(app)
    perf.init_app(app)
    readers.init_app(app)
    mail.init_app(app)
    return app


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
    settle_switches(app.config)
    # A database error's message (and so a logged traceback) would repeat the statement's parameters:
    # readers' emails, comment text, the tokens of mail links. The statement is enough to debug.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
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
            "(COMMENT_RATE_LIMIT), and Flask-Limiter's app-wide check is off (blog/perf/limiter_hook.py)."
        )
    site_url = (app.config.get("SITE_URL") or "").strip()
    if site_url and (urlsplit(site_url).scheme not in ("http", "https") or not urlsplit(site_url).netloc):
        raise ConfigError(
            f"SITE_URL={site_url!r} is not a full address: it needs http:// or https:// and a host "
            "(for example https://blog.clinic.example), since links in mails and feeds are built on it."
        )
    if app.config.get("MAIL_SERVER") and not site_base(app.config):
        raise ConfigError(
            "MAIL_SERVER is set but the site's public address is not: moderators' notices and readers' reply "
            "notices link to the site, and those links must never come from a request. Set FLASK_SITE_URL (for example https://blog.clinic.example) or "
            "FLASK_TRUSTED_HOSTS."
        )
    Path(app.instance_path).mkdir(exist_ok=True)


def normalize_database_uri(uri: str) -> str:
    """postgres:// and postgresql:// (as hosts hand them out) -> the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix):]
    return uri
