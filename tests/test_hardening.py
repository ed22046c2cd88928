"""Serving safely: secret required, security headers everywhere, error pages, hosts, proxies, health, logs."""
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from blog import ConfigError, create_app
from blog.extensions import db
from blog.core.models import Comment

ROOT = Path(__file__).resolve().parent.parent


def assert_hardened(response):
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "form-action 'self'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_app_refuses_to_start_without_a_secret_key(app_config):
    del app_config["SECRET_KEY"]
    app_config["TESTING"] = False
    with pytest.raises(ConfigError, match="FLASK_SECRET_KEY"):
        create_app(app_config)


def test_starting_without_a_secret_prints_one_line_and_fails(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(BLOG_INSTANCE_PATH=str(tmp_path), FLASK_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.sqlite")
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: No SECRET_KEY: set FLASK_SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_configuration_comes_from_the_environment_with_the_flask_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_SITE_NAME", "Env Clinic")
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/blog")
    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)
    (tmp_path / "config.py").write_text("SITE_NAME = 'From file'\nARTICLES_PER_PAGE = 7\n")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env" and app.config["SITE_NAME"] == "Env Clinic"
    assert app.config["ARTICLES_PER_PAGE"] == 7 and app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/blog"



@pytest.mark.parametrize("written,meant", [("False", False), ("OFF", False), ("no", False), ("True", True), ("1", True)])
def test_an_on_off_setting_written_as_a_word_means_that_word(monkeypatch, tmp_path, written, meant):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_MODERATION_ROUTINE_NOTICES", written)
    assert create_app().config["MODERATION_ROUTINE_NOTICES"] is meant


def test_an_on_off_setting_that_is_neither_stops_the_app_with_a_message(monkeypatch, tmp_path):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_MAIL_USE_TLS", "maybe")
    with pytest.raises(ConfigError, match="MAIL_USE_TLS='maybe': give true or false"):
        create_app()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(app_config, tmp_path):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/pragmas.sqlite"
    with create_app(app_config).app_context():
        pragmas = {name: db.session.execute(db.text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}


def test_security_headers_are_on_pages_and_error_pages(client, make_article):
    slug = make_article()
    for response in (client.get("/"), client.get(f"/post/{slug}"), client.get("/post/missing"),
                     client.post(f"/post/{slug}/comments", data={"body": "x" * 70_000})):
        assert_hardened(response)
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_trusted_only_with_trusted_proxies(app_config):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    untrusted = create_app(app_config).test_client().get("/healthz", headers=headers)
    assert "Strict-Transport-Security" not in untrusted.headers
    app_config["TRUSTED_PROXIES"] = 1
    trusted = create_app(app_config).test_client().get("/healthz", headers=headers)
    assert "Strict-Transport-Security" in trusted.headers


def test_a_forged_host_header_is_refused(app_config):
    app_config["TRUSTED_HOSTS"] = ["blog.clinic.example"]
    client = create_app(app_config).test_client()
    assert client.get("/healthz", headers={"Host": "blog.clinic.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("status,path,method,title", [
    (404, "/post/missing", "get", "Page not found"),
    (405, "/post/x/comments", "get", "Not allowed"),
    (413, "/post/x/comments", "post", "That was too much to send"),
    (400, "/moderation/login", "post", None),
])
def test_error_pages_are_styled_and_plain(client, status, path, method, title):
    kwargs = {"data": {"body": "x" * 70_000}} if status == 413 else {}
    response = getattr(client, method)(path, **kwargs)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert "/static/style.css" in html and "Traceback" not in html and "Werkzeug" not in html
    if title:
        assert title in html
    assert_hardened(response)


def test_a_server_error_shows_a_plain_page_and_rolls_back(app_config, make_article):
    app_config["PROPAGATE_EXCEPTIONS"] = False
    app = create_app(app_config)

    @app.get("/boom")
    def boom():
        db.session.add(Comment(article_id=1, author_name="half", body_raw="x", body_html="x"))
        db.session.flush()
        raise RuntimeError("secret internals")

    with app.app_context():
        db.create_all()
    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "secret internals" not in html
    assert_hardened(response)
    with app.app_context():
        assert db.session.execute(db.select(Comment)).scalars().all() == []


def test_healthz_answers_200_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(app_config, tmp_path):
    if app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app_config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    else:
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/missing-dir/blog.sqlite"
    response = create_app(app_config).test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unavailable"


def test_static_files_have_versioned_urls_and_long_cache_lifetimes(client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{10})"', html).group(1)
    response = client.get(url)
    assert response.status_code == 200 and "max-age=31536000" in response.headers["Cache-Control"]


def test_the_index_answers_conditional_requests(client, make_article):
    make_article()
    first = client.get("/")
    assert first.headers.get("ETag")
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_each_request_is_logged_once_with_an_id_and_nothing_private(app, client, caplog):
    from tests.helpers import ModeratorActions
    staff = ModeratorActions(app, client)
    staff.create()
    with caplog.at_level(logging.INFO, logger="blog.requests"):
        staff.login()
        client.get("/healthz?token=abc", headers={"X-Request-ID": "req-123"})
        response = client.get("/post/x%0Arid=forged%20GET%20/admin%20200", headers={"X-Request-ID": "bad id <x>"})
    lines = [r.getMessage() for r in caplog.records if r.name == "blog.requests"]
    assert "rid=req-123 GET /healthz 200" in " ".join(lines)
    # A decoded %0A cannot start a forged line, and an unsafe incoming id is replaced.
    assert response.status_code == 404 and "\n" not in lines[-1] and "bad id" not in caplog.text
    assert response.headers["X-Request-ID"] in lines[-1] and len(lines) == 4
    text = caplog.text
    cookie = client.get_cookie("session").value
    for secret in ("203.0.113.7", "correct horse", cookie, "token=abc"):
        assert secret not in text


def test_the_development_server_logs_no_client_addresses(app, caplog):
    """`flask run` (./run.sh) would print each client's address; those lines are dropped."""
    import logging as logging_module

    with caplog.at_level(logging_module.INFO, logger="werkzeug"):
        werkzeug_log = logging_module.getLogger("werkzeug")
        werkzeug_log.info('%s - - [%s] %s\n', "203.0.113.9", "24/Nov/2026 07:00:00", '"GET / HTTP/1.1" 200 -')
        werkzeug_log.info("Running on http://127.0.0.1:5000")
    assert "203.0.113.9" not in caplog.text
    assert "Running on http://127.0.0.1:5000" in caplog.text
