"""Session cookies and form tokens made with cached signers are the ones Flask and Flask-WTF make."""
import time

import pytest
from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from blog import create_app
from blog.perf.form_tokens import form_token
from tests.helpers import ModeratorActions, browser_client, csrf_token_from


def stock_serializer(secret, fallbacks=None):
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    return SecureCookieSessionInterface().get_signing_serializer(app)


def test_a_new_sessions_cookie_and_form_token_are_what_flask_and_flask_wtf_accept(app, client):
    page = client.get("/moderation/login")  # staff forms keep Flask-WTF's session-bound tokens
    token = csrf_token_from(page.get_data(as_text=True))
    cookie = page.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    data = stock_serializer(app.config["SECRET_KEY"]).loads(cookie)
    assert "csrf_token" in data and "_user_id" not in data
    with app.test_request_context():
        session["csrf_token"] = data["csrf_token"]
        validate_csrf(token)  # raises if Flask-WTF does not accept it


def test_a_cached_pages_first_form_token_is_what_flask_wtf_accepts(app):
    with app.test_request_context():
        token = form_token()  # a session with no token yet: blog.perf.form_tokens makes the first one
        raw = session["csrf_token"]
    with app.test_request_context():
        session["csrf_token"] = raw
        validate_csrf(token)
    with app.test_request_context():
        session["csrf_token"] = "another session's token"
        with pytest.raises(ValidationError):
            validate_csrf(token)


def test_cookies_signed_with_an_old_key_still_open_after_rotation(tmp_path):
    rotated = create_app({"TESTING": True, "SECRET_KEY": "new key", "SECRET_KEY_FALLBACKS": ["old key"],
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite'}"})
    old_cookie = stock_serializer("old key").dumps({"own_comments": [7]})
    with rotated.test_request_context(headers={"Cookie": f"session={old_cookie}"}):
        opened = rotated.session_interface.open_session(rotated, request)
        assert opened["own_comments"] == [7]
    forged = stock_serializer("another key").dumps({"own_comments": [7]})
    with rotated.test_request_context(headers={"Cookie": f"session={forged}"}):
        assert dict(rotated.session_interface.open_session(rotated, request)) == {}
    new_cookie = rotated.session_interface.get_signing_serializer(rotated).dumps({"a": 1})
    assert stock_serializer("new key").loads(new_cookie) == {"a": 1}


def test_limits_that_only_flask_limiters_global_check_would_apply_are_refused(app_config):
    from blog import ConfigError
    app_config["RATELIMIT_DEFAULT"] = "100 per hour"
    with pytest.raises(ConfigError, match="RATELIMIT_DEFAULT"):
        create_app(app_config)


def test_a_cached_form_token_is_reused_only_for_the_same_session_cookie(app, moderator):
    moderator.token()  # the first page after signing in puts Flask-WTF's token in the session: a new cookie
    first = moderator.token()
    time.sleep(1.1)  # a token signed anew would carry a later timestamp, so only reuse gives the same one
    assert moderator.token() == first  # same session cookie, within the minute: the same signed token
    other = ModeratorActions(app, browser_client(app, "192.0.2.99"))
    other.create(email="second@clinic.example")
    other.login(email="second@clinic.example")
    assert other.token() != first
    with app.test_request_context():
        with pytest.raises(ValidationError):
            validate_csrf(first)  # a session without that raw token refuses it
