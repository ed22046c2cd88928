"""Hostile requests against a real gunicorn: each gets the right status and message, and stores only what it should."""
import time
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from blog.extensions import db
from blog.core.models import Comment
from tests.servers import Visitor

pytestmark = pytest.mark.load
SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"
PATH = f"/post/{SLUG}/comments"
OTHER_SLUG = "sleep-and-migraine-small-habits-that-help"


@dataclass
class Case:
    name: str
    fields: dict | None = None       # the form, without the token
    raw: bytes | None = None         # or a raw body; "{token}" is replaced
    token: str = "fresh"             # "fresh", "forged", "other-article" or "none"
    status: int = 303
    message: str = ""
    stored: dict | None = None       # expected columns of the one stored comment; None: nothing stored


CASES = [
    Case("body over the size limit", {"name": "A", "body": "x" * 70_000}, status=413, message="too much to send"),
    Case("invalid UTF-8", raw=b"csrf_token={token}&name=Ana&body=caf\xe9\xff", status=400, message="not valid UTF-8"),
    Case("NUL and control characters", {"name": "Ana", "body": "a\x00b\x07c\x1b[31md"},
         stored={"body_raw": "abc[31md", "author_name": "Ana"}),
    Case("bidi overrides and zero-width characters in the name", {"name": "\u202eAna\u200b\u2066Lee\u2069", "body": "hi"},
         stored={"author_name": "AnaLee"}),
    Case("a name of only invisible characters", {"name": "\u202e\u200b\ufeff", "body": "hi"}, status=400,
         message="Please tell us a name"),
    Case("a 5,000-character single word", {"name": "W", "body": "w" * 5000},
         stored={"body_html": "<p>" + "w" * 5000 + "</p>"}),
    Case("5,000 characters of nested tags", {"name": "N", "body": "<b><i>" * 833 + "xx"}, stored={"status": "pending"}),
    Case("200 links", {"name": "L", "body": " ".join(f"https://s{n}.org" for n in range(200))},
         stored={"status": "spam"}),
    Case("CRLF in the name", {"name": "Ana\r\nSet-Cookie: x=1", "body": "hi"},
         stored={"author_name": "Ana Set-Cookie: x=1"}),
    Case("CRLF in the email", {"name": "Ana", "email": "a@example.org\r\nBcc: b@example.org", "body": "hi"},
         status=400, message="look like an email address"),
    Case("SQL-looking strings", {"name": "Robert'); DROP TABLE comment;--", "body": "1' OR '1'='1"},
         stored={"author_name": "Robert'); DROP TABLE comment;--", "body_raw": "1' OR '1'='1"}),
    Case("a forged CSRF token", {"name": "A", "body": "hi"}, token="forged", status=400, message="form expired"),
    Case("a CSRF token from another article", {"name": "A", "body": "hi"}, token="other-article", status=400,
         message="form expired"),
    Case("no CSRF token", {"name": "A", "body": "hi"}, token="none", status=400, message="form expired"),
]


def comments(site):
    with site.app.app_context():
        return db.session.execute(db.select(Comment).order_by(Comment.id)).scalars().all()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_comment_posts(site, case):
    visitor = Visitor(site.server, agent=f"Mozilla/5.0 hostile {case.name}")
    token = visitor.token(f"/post/{SLUG}")
    if case.token == "forged":
        token = token[:-4] + "AAAA"
    elif case.token == "other-article":
        token = Visitor(site.server, agent="Mozilla/5.0 someone else").token(f"/post/{OTHER_SLUG}")
    before = len(comments(site))
    started = time.monotonic()
    if case.raw is not None:
        reply = visitor.post(PATH, raw=case.raw.replace(b"{token}", quote(token).encode()))
    else:
        reply = visitor.post(PATH, form={**({"csrf_token": token} if case.token != "none" else {}), **case.fields})
    elapsed = time.monotonic() - started
    assert reply.status == case.status, reply.body[:300]
    assert case.message in reply.body.replace("&#39;", "'")
    assert "Traceback" not in reply.body
    after = comments(site)
    if case.stored is None:
        assert len(after) == before
    else:
        assert len(after) == before + 1
        for column, value in case.stored.items():
            assert getattr(after[-1], column) == value
    if case.name.startswith("5,000 characters of nested"):
        assert elapsed < 5.0  # a stall on a shared machine is not a quadratic blow-up (that takes minutes)


def test_login_next_pointing_off_site_lands_on_the_queue(site):
    visitor = Visitor(site.server, agent="Mozilla/5.0 staff")
    token = visitor.token("/moderation/login")
    from tests.helpers import MODERATOR_EMAIL, PASSWORD
    reply = visitor.post("/moderation/login?next=https://evil.example/phish",
                         form={"csrf_token": token, "email": MODERATOR_EMAIL, "password": PASSWORD})
    assert reply.status == 303 and reply.headers["Location"] == "/moderation/"


POISONS = [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}, {"Forwarded": "host=evil.example"},
           {"SCRIPT_NAME": "/evil"}, {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}]


def test_forged_host_and_prefix_headers_never_reach_another_reader_of_either_worker(site):
    """Right after a change (so the next request renders the page into a worker's cache), a burst of
    requests with forged Host, X-Forwarded-*, Forwarded and SCRIPT_NAME headers from the proxy's own
    address; then plain readers on fresh connections, which land on both workers."""
    from blog.moderation.actions import set_status
    visitor = Visitor(site.server, agent="Mozilla/5.0 a reader who changes the page")
    assert visitor.post(PATH, form={"csrf_token": visitor.token(f"/post/{SLUG}"), "name": "Ana",
                                    "body": "This changes the page."}).status == 303
    with site.app.app_context():
        newest = db.session.execute(db.select(Comment).order_by(Comment.id.desc())).scalars().first()
        set_status([newest.id], "approve", None)
    for headers in POISONS * 6:
        for path in (f"/post/{SLUG}", "/", "/feed.xml", "/sitemap.xml", "/robots.txt"):
            assert site.server.request("GET", path, headers=headers).status < 500
    for _ in range(12):
        for path in (f"/post/{SLUG}", "/"):
            reply = site.server.request("GET", path)
            assert reply.status == 200 and "This changes the page." in site.server.request("GET", f"/post/{SLUG}").body
            assert "evil" not in reply.body, path
