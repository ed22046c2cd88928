"""The staff forms' CSRF token on a page served from cache, signed at most once a minute per session.

Flask-WTF keeps a random token in the session and puts a signed, timestamped copy in each form;
signing it anew on every request is a noticeable part of a cached queue page (bench/run). Here the
signed copy that Flask-WTF's own generate_csrf() made is reused for up to a minute in each worker,
for requests that carry the very same session cookie (so the same session, and the same token in
it): the token a page carries is at most a minute older than it would otherwise be, still valid
for WTF_CSRF_TIME_LIMIT less that minute. Nothing here reads or writes Flask-WTF's session data."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, request, session
from flask_wtf.csrf import generate_csrf

REUSE_SECONDS = 60
_KEPT = 1024
_signed: OrderedDict[tuple[int, str], tuple[str, float]] = OrderedDict()
_lock = threading.Lock()


def form_token() -> str:
    """The signed CSRF token for this request's session, as generate_csrf() gives it."""
    cookie = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    if not cookie:
        return generate_csrf()  # a new session: Flask-WTF puts its token in it
    key, now = (id(current_app._get_current_object()), cookie), time.monotonic()
    with _lock:
        found = _signed.get(key)
    if found is not None and now - found[1] < REUSE_SECONDS:
        return found[0]
    was_modified = session.modified
    token = generate_csrf()
    if session.modified and not was_modified:
        return token  # the session got its first token just now: the cookie that came in does not hold it
    with _lock:
        _signed[key] = (token, now)
        _signed.move_to_end(key)
        while len(_signed) > _KEPT:
            _signed.popitem(last=False)
    return token
