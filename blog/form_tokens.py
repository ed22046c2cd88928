"""The CSRF token for a page served from cache, signed at most once a minute per session.

Flask-WTF keeps a random token in the session and puts a signed, timestamped copy in each form;
signing it anew on every request is a noticeable part of a cached page (bench/run). Here a
signed copy is reused for up to a minute in each worker, so the token a page carries is at most a
minute older than it would otherwise be: still valid for WTF_CSRF_TIME_LIMIT less that minute.
A session's first page gets its token the way Flask-WTF makes one (a random value in the
session, signed with salt "wtf-csrf-token"), with the serializer built once per app."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

import hashlib
import os

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from blog.signing import OneSignerSerializer

REUSE_SECONDS = 60
_KEPT = 1024
_signed: OrderedDict[tuple[int, str], tuple[str, float]] = OrderedDict()
_lock = threading.Lock()


def form_token() -> str:
    """The signed CSRF token for this request (the one Flask-WTF's csrf_token() gives afterwards)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:
        return generate_csrf()
    raw = session.get(field)
    if raw is None:
        return _first_token(field)
    if not isinstance(raw, str):
        return generate_csrf()
    key, now = (id(current_app._get_current_object()), raw), time.monotonic()
    with _lock:
        found = _signed.get(key)
    if found is not None and now - found[1] < REUSE_SECONDS:
        setattr(g, field, found[0])  # Flask-WTF returns this for the rest of the request
        return found[0]
    token = generate_csrf()
    with _lock:
        _signed[key] = (token, now)
        _signed.move_to_end(key)
        while len(_signed) > _KEPT:
            _signed.popitem(last=False)
    return token


def _first_token(field: str) -> str:
    """A new session's token, stored and signed as flask_wtf.csrf.generate_csrf does."""
    app = current_app._get_current_object()
    serializer = app.extensions.get("csrf_serializer")
    if serializer is None:
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        serializer = app.extensions["csrf_serializer"] = OneSignerSerializer(secret, salt="wtf-csrf-token")
    raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
    token = serializer.dumps(raw)
    setattr(g, field, token)
    return token
