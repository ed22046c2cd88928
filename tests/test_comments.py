"""Reader comments: held for moderation, sanitized, and every kind of bad input answered clearly."""
import re
import time
from html import unescape

import pytest

from blog.extensions import db
from blog.core.models import Article, Comment
from tests.helpers import csrf_token_from, moderate, stored_comments

THANKS = "Thanks! Your comment is awaiting moderation."


stored = stored_comments


def set_status(app, comment_id, status):
    moderate(app, comment_id, status)


@pytest.fixture
def slug(make_article):
    return make_article()


def test_a_comment_is_stored_pending_and_the_reader_is_thanked(app, reader, slug):
    response = reader.comment(slug, name="Ana", email="ana@example.org", body="Helpful, thanks.\n\nSecond para.")
    [comment] = stored(app)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/post/{slug}#comment-{comment.id}")
    assert comment.status == "pending" and comment.author_email == "ana@example.org"
    assert comment.body_raw == "Helpful, thanks.\n\nSecond para."
    assert comment.body_html == "<p>Helpful, thanks.</p>\n<p>Second para.</p>"
    page = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    assert THANKS in page


def test_the_author_sees_their_pending_comment_and_nobody_else_does(app, reader, other_reader, slug):
    reader.comment(slug, body="My pending words")
    mine = reader.open(slug).get_data(as_text=True)
    theirs = other_reader.open(slug).get_data(as_text=True)
    assert "My pending words" in mine and "Awaiting moderation" in mine
    assert "My pending words" not in theirs
    assert "0 comments" in mine and "0 comments" in theirs


def test_an_approved_comment_is_public_and_counted_but_its_email_never_shown(app, reader, other_reader, slug):
    reader.comment(slug, name="Ana", email="ana.private@example.org", body="Public now")
    set_status(app, stored(app)[0].id, "approved")
    page = other_reader.open(slug).get_data(as_text=True)
    assert "Public now" in page and ">Ana<" in page and "1 comment" in page
    assert "ana.private@example.org" not in page and "Awaiting" not in page
    assert "ana.private@example.org" not in other_reader.client.get("/").get_data(as_text=True)


def test_comments_show_oldest_first_with_replies_under_their_parent(app, reader, slug):
    for body in ("First", "Second"):
        reader.comment(slug, body=body)
    first, second = stored(app)
    set_status(app, first.id, "approved")
    set_status(app, second.id, "approved")
    reader.comment(slug, body="A reply to first", parent_id=str(first.id))
    reply = stored(app)[-1]
    assert reply.parent_id == first.id
    set_status(app, reply.id, "approved")
    page = reader.open(slug).get_data(as_text=True)
    assert page.index("First") < page.index("A reply to first") < page.index("Second")
    assert re.search(r'class="replies"[^>]*>\s*<li>\s*<article class="comment" id="comment-%d"' % reply.id, page)
    assert "3 comments" in page


def test_a_reply_to_a_reply_joins_the_same_thread(app, reader, slug):
    reader.comment(slug, body="Root")
    set_status(app, stored(app)[0].id, "approved")
    reader.comment(slug, body="Reply", parent_id=str(stored(app)[0].id))
    set_status(app, stored(app)[1].id, "approved")
    reader.comment(slug, body="Reply to reply", parent_id=str(stored(app)[1].id))
    assert stored(app)[2].parent_id == stored(app)[0].id


def test_reply_form_is_prefilled_from_the_reply_link(app, reader, slug):
    reader.comment(slug, name="Bea", body="Root")
    root = stored(app)[0]
    set_status(app, root.id, "approved")
    page = reader.client.get(f"/post/{slug}?reply_to={root.id}").get_data(as_text=True)
    assert "Reply to <bdi>Bea</bdi>" in page and f'name="parent_id" type="hidden" value="{root.id}"' in page


@pytest.mark.parametrize("parent_status", ["pending", "rejected", "spam"])
def test_replying_to_a_comment_that_is_not_public_is_refused(app, reader, slug, parent_status):
    reader.comment(slug, body="Parent")
    parent = stored(app)[0]
    set_status(app, parent.id, parent_status)
    response = reader.comment(slug, body="My reply text", parent_id=str(parent.id))
    assert response.status_code == 400
    assert "not available any more" in response.get_data(as_text=True)
    assert "My reply text" in response.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_replying_to_a_comment_of_another_article_is_refused(app, reader, make_article, slug):
    other = make_article(title="Another article")
    reader.comment(other, body="On the other article")
    set_status(app, stored(app)[0].id, "approved")
    assert reader.comment(slug, body="Cross reply", parent_id=str(stored(app)[0].id)).status_code == 400
    assert len(stored(app)) == 1


def test_a_filled_honeypot_looks_like_success_but_is_stored_as_spam(app, reader, other_reader, slug):
    response = reader.comment(slug, body="Buy pills", website="http://spam.example")
    assert response.status_code == 303
    assert THANKS in reader.client.get(response.headers["Location"]).get_data(as_text=True)
    [comment] = stored(app)
    assert comment.status == "spam"
    assert "Buy pills" not in other_reader.open(slug).get_data(as_text=True)


@pytest.mark.parametrize("fields,message", [
    ({"name": ""}, "Please tell us a name"),
    ({"name": "\u202e\u200b"}, "Please tell us a name"),
    ({"name": "x" * 81}, "under 80 characters"),
    ({"body": "   "}, "Please write a comment."),
    ({"body": "y" * 5001}, "under 5,000 characters"),
    ({"email": "not-an-email"}, "doesn't look like an email address"),
    ({"email": "a@example.org\r\nBcc: victim@example.org"}, "doesn't look like an email address"),
    ({"parent_id": "1 OR 1=1"}, "reply target is not valid"),
])
def test_an_invalid_form_is_shown_again_with_the_readers_text_and_nothing_is_stored(app, reader, slug, fields, message):
    data = {"name": "Ana", "body": "My carefully written comment", "email": "", **fields}
    response = reader.comment(slug, **data)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in html
    assert "Your comment was not sent yet" in html
    if "body" not in fields:
        assert "My carefully written comment" in html
    if "parent_id" not in fields:
        assert 'aria-invalid="true"' in html
    assert stored(app) == []


def test_a_missing_or_forged_csrf_token_is_refused_but_the_text_is_kept(app, client, slug):
    for token in (None, "forged-token"):
        data = {"name": "Ana", "body": "Words I do not want to lose"}
        if token:
            data["csrf_token"] = token
        response = client.post(f"/post/{slug}/comments", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "form expired" in html and "Words I do not want to lose" in html
    assert stored(app) == []


def test_commenting_on_an_unknown_article_is_404(app, client, reader, slug):
    token = csrf_token_from(reader.open(slug).get_data(as_text=True))
    response = client.post("/post/nope/comments", data={"csrf_token": token, "name": "A", "body": "B"})
    assert response.status_code == 404 and stored(app) == []


def test_commenting_on_a_closed_article_is_403(app, reader, make_article, slug):
    closed = make_article(title="Closed one", comments="closed")
    page = reader.open(closed).get_data(as_text=True)
    assert "Comments are closed on this article." in page and 'id="comment-form"' not in page
    token = csrf_token_from(reader.open(slug).get_data(as_text=True))  # a token from an open article
    response = reader.client.post(f"/post/{closed}/comments", data={"csrf_token": token, "name": "A", "body": "B"})
    assert response.status_code == 403 and "Comments are closed" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_body_over_the_request_limit_gets_a_413_page(app, client, slug):
    response = client.post(f"/post/{slug}/comments", data={"name": "A", "body": "z" * 70_000})
    assert response.status_code == 413
    assert "too much to send" in response.get_data(as_text=True)
    assert stored(app) == []


def test_invalid_utf8_is_never_a_server_error(app, reader, slug):
    token = csrf_token_from(reader.open(slug).get_data(as_text=True))
    raw = b"csrf_token=" + token.encode() + b"&name=Ana&body=caf\xe9+\xff\xfe+ok"
    response = reader.client.post(f"/post/{slug}/comments", data=raw,
                                  content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "not valid UTF-8" in response.get_data(as_text=True)
    assert stored(app) == []
    # Percent-encoded invalid bytes, as a browser would send them, are kept as text.
    encoded = b"csrf_token=" + token.encode() + b"&name=Ana&body=caf%E9+%FF+ok"
    response = reader.client.post(f"/post/{slug}/comments", data=encoded,
                                  content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert stored(app)[0].body_raw == "caf%E9 %FF ok"


def test_names_lose_controls_bidi_overrides_and_invisible_characters(app, reader, slug):
    reader.comment(slug, name="An\u202ea\u200b\x00 \r\nLee", body="hi")
    assert stored(app)[0].author_name == "Ana Lee"


def test_the_name_is_escaped_plain_text(app, reader, other_reader, slug):
    reader.comment(slug, name='<a href="https://x.example">Dr</a><script>', body="hi")
    set_status(app, stored(app)[0].id, "approved")
    page = other_reader.open(slug).get_data(as_text=True)
    assert "&lt;a href=&#34;https://x.example&#34;&gt;Dr&lt;/a&gt;&lt;script&gt;" in page


HOSTILE_BODIES = [
    "<script>alert(document.cookie)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entities</a>',
    '<a href=" &#14; javascript:alert(1)">space</a>',
    '<a href="jav\tascript:alert(1)">tab</a>',
    "<b><i><u>unclosed <a href='https://x.example'",
    "<div>" * 1000,
    "nul\x00byte",
    '<p onclick="alert(1)">para</p>',
    '<svg><script>alert(1)</script></svg>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_bodies_are_stored_and_rendered_harmless(app, reader, other_reader, slug, body):
    response = reader.comment(slug, body=body)
    assert response.status_code == 303
    [comment] = stored(app)
    assert "\x00" not in comment.body_raw and "\x00" not in comment.body_html
    set_status(app, comment.id, "approved")
    page = other_reader.open(slug).get_data(as_text=True)
    [rendered] = re.findall(r'<div class="comment-body" dir="auto">(.*?)</div>', page, re.DOTALL)
    assert rendered == comment.body_html
    for html in (comment.body_html, rendered):
        assert not re.search(r"<(script|img|svg|iframe|div|u|noscript)\b", html, re.IGNORECASE)
        assert not re.search(r"<[^>]*\son\w+\s*=", html, re.IGNORECASE)
        for href in re.findall(r'href="([^"]*)"', html):
            assert href.startswith(("https://", "http://", "mailto:", "/post/"))


def test_comment_posts_are_rate_limited_with_a_readable_page(app_config, make_article):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["COMMENT_RATE_LIMIT"] = "3 per minute"
    from blog import create_app
    from tests.helpers import ReaderActions, browser_client
    limited = create_app(app_config)
    with limited.app_context():
        db.create_all()
        db.session.add(Article(slug="a", title="A", published=__import__("datetime").date(2023, 1, 1),
                               body_markdown="x", body_html="<p>x</p>", source_hash="h"))
        db.session.commit()
    reader = ReaderActions(browser_client(limited, "203.0.113.50"))
    statuses = [reader.comment("a", body=f"Comment {n}").status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]
    html = reader.comment("a", body="Kept text").get_data(as_text=True)
    assert "faster than we allow" in html and "Kept text" in html
    danger = reader.comment("a", body="Please help, I want to end my life.")  # help comes first, limit or not
    assert danger.status_code == 429 and '<a href="tel:988">988</a>' in danger.get_data(as_text=True)
    with limited.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Comment)).scalar_one() == 3
    other = ReaderActions(browser_client(limited, "203.0.113.51"))
    assert other.comment("a", body="Someone else").status_code == 303


def test_reading_sets_no_cookie_and_every_reader_gets_the_articles_token(app, reader, other_reader, slug):
    """Reading a health article leaves nothing behind in the browser: the comment form's token is
    the article's own (blog.readers.comment_tokens), the same for every reader, so no session is needed."""
    page = reader.open(slug)
    assert "Set-Cookie" not in page.headers and reader.client.get_cookie("session") is None
    token = csrf_token_from(page.get_data(as_text=True))
    assert csrf_token_from(other_reader.open(slug).get_data(as_text=True)) == token
    response = other_reader.client.post(f"/post/{slug}/comments", data={"csrf_token": token, "name": "Eve", "body": "x"})
    assert response.status_code == 303 and len(stored(app)) == 1
    # Only a reader who commented carries a cookie: it shows them their own pending comment.
    assert other_reader.client.get_cookie("session") is not None and reader.client.get_cookie("session") is None


def test_a_token_is_good_for_its_own_article_only_and_expires(app, reader, make_article, slug):
    other = make_article(title="Another article")
    token = csrf_token_from(reader.open(other).get_data(as_text=True))
    moved = reader.client.post(f"/post/{slug}/comments", data={"csrf_token": token, "name": "A", "body": "Kept"})
    assert moved.status_code == 400 and "form expired" in moved.get_data(as_text=True)
    assert "Kept" in moved.get_data(as_text=True)
    old = old_comment_token(app, article_id_of(app, slug), hours_ago=7)  # the limit is 6 hours
    stale = reader.client.post(f"/post/{slug}/comments", data={"csrf_token": old, "name": "A", "body": "Kept"})
    assert stale.status_code == 400 and "form expired" in stale.get_data(as_text=True)
    assert stored(app) == []
    fresh = old_comment_token(app, article_id_of(app, slug), hours_ago=5)
    assert reader.client.post(f"/post/{slug}/comments", data={"csrf_token": fresh, "name": "A", "body": "B"}
                              ).status_code == 303


@pytest.mark.parametrize("headers, accepted", [
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"}, False),
    ({"Origin": "https://attacker.example"}, False),
    ({"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}, True),
    ({"Origin": "http://localhost"}, True),  # an older browser, from our own page
    ({}, True),  # not a browser: the token alone decides
])
def test_a_comment_sent_from_another_site_is_refused(app, reader, slug, headers, accepted):
    """What stops another site from making a reader's browser post: the browser's own
    Sec-Fetch-Site and Origin headers (anyone can fetch a token for an anonymous form)."""
    token = csrf_token_from(reader.open(slug).get_data(as_text=True))
    response = reader.client.post(f"/post/{slug}/comments", headers=headers,
                                  data={"csrf_token": token, "name": "Ana", "body": "Forged?"})
    if accepted:
        assert response.status_code == 303 and len(stored(app)) == 1
    else:
        assert response.status_code == 400 and stored(app) == []
        html = response.get_data(as_text=True)
        assert "sent from another site" in html and "Forged?" not in html


def article_id_of(app, slug):
    with app.app_context():
        return db.session.execute(db.select(Article.id).where(Article.slug == slug)).scalar_one()


def old_comment_token(app, article_id, hours_ago):
    """A token as the site signed it some hours ago (an article page left open that long)."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from blog.readers.comment_tokens import SALT

    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - hours_ago * 3600

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT, signer=Then).dumps(article_id)
