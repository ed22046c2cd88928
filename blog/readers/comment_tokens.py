"""The reader comment form's CSRF protection, which needs no cookie: reading never sets one.

Staff forms keep Flask-WTF's session-bound tokens. The comment form is anonymous, so a token
tied to a session protects nothing a session holds; it only made every reader carry a cookie.
Instead the form (still a Flask-WTF form, through its csrf_class hook) is protected by:

- the browser's own cross-site signals, as Go's net/http CrossOriginProtection reads them: a
  POST whose Sec-Fetch-Site is anything but same-origin or none, or (from browsers too old to
  send that header) whose Origin, or failing that whose Referer, names another host, is refused
  (an Origin of "null", sent by sandboxed frames and some redirects, is not ours either). This is what stops another
  site from making a reader's browser post a comment;
- a token signed with the app's key for this article and timestamped, valid for
  WTF_CSRF_TIME_LIMIT seconds: a form left open too long, or copied to another article, is
  refused with the same "form expired" page as before. One signed token per article is reused
  for up to a minute in each worker, so the article page is the same for every reader."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, request
from itsdangerous import BadData
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from blog.perf.signing import OneSignerSerializer

SALT = "comment-form"
REUSE_SECONDS = 60
EXPIRED = "The form expired."
CROSS_SITE = "The form was sent from another site."


def _serializer() -> OneSignerSerializer:
    app = current_app._get_current_object()
    serializer = app.extensions.get("comment_token_serializer")
    if serializer is None:
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        serializer = app.extensions["comment_token_serializer"] = OneSignerSerializer(secret, salt=SALT)
    return serializer


def comment_token(article_id: int) -> str:
    """The comment form token for an article, signed at most once a minute per worker."""
    kept = current_app.extensions.setdefault("comment_tokens", {})
    found, now = kept.get(article_id), time.monotonic()
    if found is not None and now - found[1] < REUSE_SECONDS:
        return found[0]
    token = _serializer().dumps(article_id)
    kept[article_id] = (token, now)
    return token


def token_problem(token: object, article_id: int) -> str | None:
    """Why a comment form token is not good for this article now, or None if it is."""
    if not isinstance(token, str) or not token:
        return EXPIRED
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT") or None
    try:
        signed_for = _serializer().loads(token, max_age=limit)
    except BadData:
        return EXPIRED
    return None if signed_for == article_id else EXPIRED


def sent_from_another_site() -> bool:
    """Whether the browser says this request comes from a page of another origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # Without the browser's own signals, a Referer that names another host counts as one.
        origin = request.headers.get("Referer") if origin is None else origin
    if origin is None:
        return False  # not a browser, or one that sends none of these headers: the token still counts
    return urlsplit(origin).netloc.lower() != request.host.lower()


class ArticleCSRF(CSRF):
    """WTForms CSRF for the comment form; the form's meta.csrf_context is the article's id."""

    def setup_form(self, form):
        self.article_id = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return comment_token(self.article_id)

    def validate_csrf_token(self, form, field) -> None:
        if sent_from_another_site():
            raise ValidationError(CROSS_SITE)
        problem = token_problem(field.data, self.article_id)
        if problem:
            raise ValidationError(problem)
