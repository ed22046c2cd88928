"""Who is asking: a signed-in moderator, a reader with something of their own, or a reader like every
other. The one definition of "a reader with nothing of their own", for the Flask views and, by
the cookie alone, for the WSGI fast path (blog.perf.fastpath), which runs before any session is opened."""
from __future__ import annotations

from flask import get_flashed_messages, session
from flask_login import current_user
from werkzeug.http import parse_cookie

# Our own mark of a staff session (set at sign-in, gone with session.clear() at sign-out), so a
# reader's session is told apart without asking Flask-Login to load anybody.
STAFF_SESSION = "staff"
# The ids of a reader's own comments still waiting for moderation, which only they see.
OWN_COMMENTS_KEY = "own_comments"
OWN_COMMENTS_KEPT = 20


def is_signed_in() -> bool:
    """Whether a moderator is signed in. Sign-in marks the session (STAFF_SESSION) and no
    remember-me cookie is ever issued, so a session without the mark is a reader: answered without
    asking Flask-Login to load anybody (the article page asks on every request)."""
    return bool(session.get(STAFF_SESSION)) and current_user.is_authenticated


def own_comment_ids() -> list[int]:
    ids = session.get(OWN_COMMENTS_KEY, [])
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_own_comment(comment_id: int) -> None:
    session[OWN_COMMENTS_KEY] = (own_comment_ids() + [comment_id])[-OWN_COMMENTS_KEPT:]


def nothing_of_their_own() -> bool:
    """A reader with nothing of their own (no sign-in, no pending comment, no message waiting) gets
    the page every anonymous reader gets, which may come from the page cache."""
    return not (is_signed_in() or own_comment_ids() or get_flashed_messages())


def has_no_session(environ, cookie_name: str) -> bool:
    """The same question before Flask: a request without a session cookie has nothing of its own."""
    cookies = environ.get("HTTP_COOKIE")
    return not cookies or cookie_name not in parse_cookie(cookies)
