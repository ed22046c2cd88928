"""One article's comment feed (/post/<slug>/comments.xml): approved comments only, newest first, names
and plain text, never an email or markup, well-formed whatever a reader typed."""
import datetime as dt
import re
import xml.etree.ElementTree as ET

from blog.core.models import Article, Comment
from blog.extensions import db
from tests.helpers import moderate, stored_comments

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://blog.clinic.example"


def feed_of(client, slug):
    response = client.get(f"/post/{slug}/comments.xml")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return response, ET.fromstring(response.data)


def entries(feed) -> list[dict]:
    return [{"title": e.findtext(f"{ATOM}title"), "name": e.findtext(f"{ATOM}author/{ATOM}name"),
             "text": e.findtext(f"{ATOM}content"), "id": e.findtext(f"{ATOM}id"),
             "link": e.find(f"{ATOM}link").get("href"), "published": e.findtext(f"{ATOM}published"),
             "updated": e.findtext(f"{ATOM}updated")}
            for e in feed.findall(f"{ATOM}entry")]


def raw_content(response) -> bytes:
    """The one entry's <content> as sent, before any parser unescapes it."""
    [content] = re.findall(rb'<content type="text">(.*?)</content>', response.data, re.DOTALL)
    return content


def newest_id(app) -> int:
    return max(c.id for c in stored_comments(app))


def test_a_comment_reaches_the_feed_once_approved_as_plain_text_newest_first(app, client, reader, make_article):
    app.config["SITE_URL"] = SITE
    slug = make_article(title="Ketamine & migraine", published="2023-10-02")
    reader.comment(slug, name="Ana", body="Thank you, see https://example.org for <b>more</b>.")
    first = newest_id(app)

    response, feed = feed_of(client, slug)
    assert entries(feed) == []
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{ATOM}title") == "Comments on “Ketamine & migraine”"
    assert feed.findtext(f"{ATOM}updated") == "2023-10-02T00:00:00Z"  # no comment yet: the article's date
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{SITE}/post/{slug}/comments.xml", "alternate": f"{SITE}/post/{slug}"}
    assert feed.findtext(f"{ATOM}id") == f"{SITE}/post/{slug}/comments.xml"

    moderate(app, first, "approved")
    approved, feed = feed_of(client, slug)  # the very next request shows it: nothing cached it away
    assert approved.headers["ETag"] != response.headers["ETag"]
    [entry] = entries(feed)
    assert entry["title"] == "Comment by Ana" and entry["name"] == "Ana"
    assert entry["text"] == "Thank you, see https://example.org for more."
    # The stored HTML has a link and <b> (the sanitizer keeps them): the feed has their text only.
    [(body_html, content)] = [(c.body_html, raw_content(approved)) for c in stored_comments(app)]
    assert "<a href" in body_html and "<b>" in body_html
    assert content == b"Thank you, see https://example.org for more."
    assert entry["id"] == entry["link"] == f"{SITE}/post/{slug}#comment-{first}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", entry["published"])
    assert entry["updated"] == entry["published"] == feed.findtext(f"{ATOM}updated")

    reader.comment(slug, name="Ben", body="A second thought.")
    second = newest_id(app)
    moderate(app, second, "approved")
    _, feed = feed_of(client, slug)
    assert [(e["name"], e["text"]) for e in entries(feed)] == [("Ben", "A second thought."),
                                                                ("Ana", "Thank you, see https://example.org for more.")]
    assert feed.findtext(f"{ATOM}updated") == entries(feed)[0]["published"]


def test_the_feed_answers_a_conditional_request_until_a_comment_changes(app, client, reader, make_article):
    slug = make_article()
    reader.comment(slug, name="Ana", body="First.")
    moderate(app, newest_id(app), "approved")
    response, _ = feed_of(client, slug)
    etag = {"If-None-Match": response.headers["ETag"]}
    assert client.get(f"/post/{slug}/comments.xml", headers=etag).status_code == 304
    reader.comment(slug, name="Ben", body="Second.")
    moderate(app, newest_id(app), "approved")
    assert client.get(f"/post/{slug}/comments.xml", headers=etag).status_code == 200


def test_pending_spam_and_rejected_comments_never_reach_the_feed(app, client, reader, make_article):
    slug = make_article()
    for status in ("pending", "spam", "rejected", "approved"):
        reader.comment(slug, name=f"Reader {status}", body=f"A comment left {status}.")
        moderate(app, newest_id(app), status)
    _, feed = feed_of(client, slug)
    assert [e["name"] for e in entries(feed)] == ["Reader approved"]
    moderate(app, newest_id(app), "rejected")  # approved, then taken back
    _, feed = feed_of(client, slug)
    assert entries(feed) == []


def test_clinic_replies_are_in_the_feed_and_leave_with_a_hidden_parent(app, client, reader, moderator, make_article):
    slug = make_article()
    reader.comment(slug, name="Ana", body="Is it safe?")
    cid = newest_id(app)
    moderator.act("approve", cid)
    response = moderator.post(f"/moderation/comments/{cid}/reply", {"reply-body": "Please ask your doctor."},
                              token_from=f"/moderation/comments/{cid}")
    assert response.status_code == 303
    _, feed = feed_of(client, slug)
    assert [e["text"] for e in entries(feed)] == ["Please ask your doctor.", "Is it safe?"]
    # As on the page, a reply is not shown under a comment that is no longer public.
    moderate(app, cid, "rejected")
    _, feed = feed_of(client, slug)
    assert entries(feed) == []


def test_the_feed_holds_the_newest_fifty_comments(app, client, make_article):
    slug = make_article()
    start = dt.datetime(2024, 1, 1)
    with app.app_context():
        article_id = db.session.execute(db.select(Article.id).filter_by(slug=slug)).scalar_one()
        db.session.add_all(Comment(article_id=article_id, author_name=f"Reader {n}", body_raw=f"Note {n}",
                                   body_html=f"<p>Note {n}</p>", status="approved",
                                   created_at=start + dt.timedelta(minutes=n)) for n in range(51))
        db.session.commit()
    _, feed = feed_of(client, slug)
    assert [e["text"] for e in entries(feed)] == [f"Note {n}" for n in range(50, 0, -1)]


def test_the_commenters_email_never_reaches_the_feed(app, client, reader, make_article):
    slug = make_article()
    reader.comment(slug, name="Ana", email="ana.private@example.org", body="Helpful, thanks.")
    moderate(app, newest_id(app), "approved")
    response, feed = feed_of(client, slug)
    assert [e["name"] for e in entries(feed)] == ["Ana"]
    assert b"ana.private" not in response.data and b"example.org" not in response.data


def test_markup_in_a_name_or_comment_is_escaped_and_the_feed_stays_well_formed(app, client, reader, make_article):
    slug = make_article()
    name = "<script>alert(1)</script> & Co"
    # &#12; survives the sanitizer as a reference, U+FFFE as typed: XML forbids both, even escaped.
    reader.comment(slug, name=name, body="if a < b && c > d &#12; then <script>x</script> ok\ufffe")
    moderate(app, newest_id(app), "approved")
    response, feed = feed_of(client, slug)  # ET.fromstring raised if it were not well-formed
    [entry] = entries(feed)
    assert entry["name"] == name and entry["title"] == f"Comment by {name}"
    # What the reader typed is their text, tags included: shown as text, escaped in the XML.
    assert entry["text"] == "if a < b && c > d then <script>x</script> ok"
    assert raw_content(response) == b"if a &lt; b &amp;&amp; c &gt; d then &lt;script&gt;x&lt;/script&gt; ok"
    assert b"<script>" not in response.data and b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in response.data
    assert b"\x0c" not in response.data and "\ufffe".encode() not in response.data


def test_the_feed_is_404_for_an_unknown_or_unpublished_article(client, make_article):
    future = make_article(title="Not yet", published="2999-01-01")
    assert client.get(f"/post/{future}").status_code == 404  # the page does not exist yet either
    assert client.get(f"/post/{future}/comments.xml").status_code == 404
    assert client.get("/post/no-such-article/comments.xml").status_code == 404


def test_the_article_page_links_to_its_comment_feed(reader, make_article):
    slug = make_article(title="Ketamine & migraine")
    html = reader.open(slug).get_data(as_text=True)
    assert (f'<link rel="alternate" type="application/atom+xml" title="Comments on “Ketamine &amp; migraine”" '
            f'href="/post/{slug}/comments.xml">') in html
    comments = html.split('<h2 id="comments-title">Comments</h2>', 1)[1]
    assert re.match(rf'\s*<p class="meta"><a href="/post/{slug}/comments.xml">Follow these comments \(Atom feed\)</a></p>',
                    comments)
