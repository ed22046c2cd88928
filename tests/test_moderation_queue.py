"""The queue: what moderators see, what their actions do to the public page, and what the log keeps."""
import re
from html import unescape

import pytest

from blog.extensions import db
from blog.core.models import Comment, ModerationEvent

SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


@pytest.fixture
def article(make_article):
    return make_article()


def comments(app):
    with app.app_context():
        return {c.id: c for c in db.session.execute(db.select(Comment).order_by(Comment.id)).scalars()}


def log(app):
    with app.app_context():
        return [(e.action, e.comment_id, e.status_before, e.status_after, e.previous_body, e.moderator_id)
                for e in db.session.execute(db.select(ModerationEvent).order_by(ModerationEvent.id)).scalars()]


def post_comments(reader, *bodies, **fields):
    for body in bodies:
        assert reader.comment(SLUG, body=body, **fields).status_code == 303


def test_the_queue_shows_pending_comments_oldest_first_with_details(app, moderator, reader, article):
    post_comments(reader, "First <b>bold</b>", "Second one", email="reader@example.org", name="Ana")
    html = moderator.client.get("/moderation/").get_data(as_text=True)
    assert html.index("First") < html.index("Second one")
    assert "reader@example.org" in html and "Ana" in html
    assert "<b>bold</b>" in html and "First &lt;b&gt;bold&lt;/b&gt;" in html  # rendered and raw
    assert f'href="/post/{SLUG}"' in html
    assert re.search(r'Pending <span class="count">\(2\)</span>', html)
    assert re.search(r'class="count-badge" aria-label="2 pending">2<', html)


def test_approving_shows_the_comment_publicly_and_logs_it(app, moderator, reader, other_reader, article):
    post_comments(reader, "Please approve me")
    [cid] = comments(app)
    assert "Please approve me" not in other_reader.open(SLUG).get_data(as_text=True)
    response = moderator.act("approve", cid)
    assert response.status_code == 303
    assert "Approved: 1 comment." in moderator.client.get(response.headers["Location"]).get_data(as_text=True)
    page = other_reader.open(SLUG).get_data(as_text=True)
    assert "Please approve me" in page and "1 comment" in page
    assert log(app) == [("approve", cid, "pending", "approved", None, 1)]


@pytest.mark.parametrize("action,status", [("reject", "rejected"), ("spam", "spam")])
def test_rejecting_or_marking_spam_hides_an_approved_comment(app, moderator, reader, other_reader, article, action, status):
    post_comments(reader, "Was public")
    [cid] = comments(app)
    moderator.act("approve", cid)
    moderator.act(action, cid)
    page = other_reader.open(SLUG).get_data(as_text=True)
    assert "Was public" not in page and "0 comments" in page
    assert comments(app)[cid].status == status
    assert log(app)[-1][:4] == (action, cid, "approved", status)


def test_restore_moves_a_comment_back_to_pending(app, moderator, reader, article):
    post_comments(reader, "Oops")
    [cid] = comments(app)
    moderator.act("spam", cid)
    moderator.act("restore", cid)
    assert comments(app)[cid].status == "pending"
    assert "Oops" in moderator.client.get("/moderation/?status=pending").get_data(as_text=True)


def test_bulk_actions_apply_to_the_checked_comments(app, moderator, reader, other_reader, article):
    post_comments(reader, "One", "Two", "Three")
    first, second, third = comments(app)
    moderator.act("approve", first, third)
    statuses = {cid: c.status for cid, c in comments(app).items()}
    assert statuses == {first: "approved", second: "pending", third: "approved"}
    assert "2 comments" in other_reader.open(SLUG).get_data(as_text=True)


def test_delete_forever_asks_first_then_removes_comment_and_replies(app, moderator, reader, other_reader, article):
    post_comments(reader, "Parent")
    [parent] = comments(app)
    moderator.act("approve", parent)
    post_comments(reader, "Child", parent_id=str(parent))
    child = max(comments(app))
    moderator.act("approve", child)
    confirm = moderator.act("delete", parent)
    assert confirm.status_code == 200 and "Delete forever?" in confirm.get_data(as_text=True)
    assert set(comments(app)) == {parent, child}
    done = moderator.post("/moderation/comments/delete", {"ids": str(parent), "confirm": "yes"})
    assert done.status_code == 303 and comments(app) == {}
    page = other_reader.open(SLUG).get_data(as_text=True)
    assert "Parent" not in page and "0 comments" in page
    deleted = [(e[0], e[1], e[4]) for e in log(app) if e[0] == "delete"]
    assert deleted == [("delete", parent, "Parent"), ("delete", child, "Child")]


def test_editing_re_sanitizes_and_keeps_the_previous_text_in_the_log(app, moderator, reader, other_reader, article):
    post_comments(reader, "Call me on 555 123 4567 please", send_anyway="yes")
    [cid] = comments(app)
    response = moderator.post(f"/moderation/comments/{cid}/edit",
                              {"edit-body": "Call me please <script>x</script>", "approve": "yes"},
                              token_from=f"/moderation/comments/{cid}")
    assert response.status_code == 303
    comment = comments(app)[cid]
    assert comment.status == "approved"
    assert comment.body_html == "<p>Call me please &lt;script&gt;x&lt;/script&gt;</p>"
    assert ("edit", cid, "pending", "pending", "Call me on 555 123 4567 please", 1) in log(app)
    page = other_reader.open(SLUG).get_data(as_text=True)
    assert "Call me please" in page and "555 123" not in page


def test_the_clinic_replies_under_the_readers_comment_with_a_badge(app, moderator, reader, other_reader, article):
    post_comments(reader, "Is it safe?")
    [cid] = comments(app)
    moderator.act("approve", cid)
    response = moderator.post(f"/moderation/comments/{cid}/reply", {"reply-body": "Please ask your doctor."},
                              token_from=f"/moderation/comments/{cid}")
    assert response.status_code == 303
    page = other_reader.open(SLUG).get_data(as_text=True)
    assert re.search(r'class="replies".*Clinic Health Notes</bdi>\s*<span class="badge badge-clinic">Clinic</span>',
                     page, re.DOTALL)
    assert "Please ask your doctor." in page and "2 comments" in page
    reply = max(comments(app).values(), key=lambda c: c.id)
    assert reply.is_clinic and reply.parent_id == cid and reply.status == "approved"
    # The clinic's own reply is not a comment to moderate: the tab counts and lists only the reader's.
    approved = moderator.client.get("/moderation/?status=approved").get_data(as_text=True)
    assert re.search(r'Approved <span class="count">\(1\)</span>', approved)
    assert approved.count('class="queue-item"') == 1


def test_closing_comments_from_the_queue(app, moderator, reader, article):
    response = moderator.post("/moderation/articles/1/comments", {"open": "no"})
    assert response.status_code == 303
    assert "Comments are closed on this article." in reader.open(SLUG).get_data(as_text=True)
    assert log(app)[-1][0] == "close comments"


def test_an_empty_selection_or_unknown_action_changes_nothing(app, moderator, reader, article):
    post_comments(reader, "Stay")
    assert moderator.post("/moderation/comments", {"action": "approve"}).status_code == 303
    assert moderator.post("/moderation/comments", {"action": "explode", "ids": "1"}).status_code == 400
    assert comments(app)[1].status == "pending" and log(app) == []


def test_the_queue_pages_25_at_a_time(app, moderator, make_article):
    make_article()
    with app.app_context():
        db.session.add_all([Comment(article_id=1, author_name=f"R{n}", body_raw=f"c{n}", body_html=f"<p>c{n}</p>")
                            for n in range(30)])
        db.session.commit()
    first = moderator.client.get("/moderation/").get_data(as_text=True)
    second = moderator.client.get("/moderation/?page=2").get_data(as_text=True)
    assert first.count('class="queue-item"') == 25 and second.count('class="queue-item"') == 5


def test_the_audit_log_lists_actions_newest_first_and_filters(app, moderator, reader, make_article):
    make_article()
    other = make_article(title="Second article")
    post_comments(reader, "On first")
    reader.comment(other, body="On second")
    moderator.act("approve", 1)
    moderator.act("reject", 2)
    html = unescape(moderator.client.get("/moderation/log").get_data(as_text=True))
    assert html.index("reject") < html.index("approve")
    filtered = moderator.client.get("/moderation/log?article=2").get_data(as_text=True)
    assert "reject" in filtered and ">approve<" not in filtered
    assert "Nothing logged" in moderator.client.get("/moderation/log?moderator=99").get_data(as_text=True)


def test_the_audit_log_is_append_only(app, moderator, reader, article):
    post_comments(reader, "x")
    moderator.act("approve", 1)
    with app.app_context():
        event = db.session.execute(db.select(ModerationEvent)).scalar_one()
        event.action = "nothing happened"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(PermissionError):
            db.session.delete(event)
            db.session.commit()


def test_moderators_reading_articles_do_not_add_views(app, moderator, article):
    moderator.client.get(f"/post/{SLUG}")
    with app.app_context():
        from blog.core.models import Article
        assert db.session.execute(db.select(Article.view_count)).scalar_one() == 0


def test_the_queue_shows_changes_made_elsewhere_on_its_next_load(app, moderator, reader, article):
    """Queue pages are cached per worker; a change made by another worker, host or the CLI must
    still show on the next load. Here the change goes straight to the database, as theirs would."""
    post_comments(reader, "Original words", name="Ana", email="ana@example.org")
    assert "Original words" in moderator.client.get("/moderation/").get_data(as_text=True)
    with app.app_context():
        comment = db.session.get(Comment, 1)
        comment.body_raw, comment.body_html = "Edited words", "<p>Edited words</p>"
        db.session.commit()
    html = moderator.client.get("/moderation/").get_data(as_text=True)
    assert "Edited words" in html and "Original words" not in html
    forget = app.test_cli_runner().invoke(args=["forget-commenter", "ana@example.org"])
    assert forget.exit_code == 0, forget.output
    html = moderator.client.get("/moderation/").get_data(as_text=True)
    assert "Former reader" in html and "ana@example.org" not in html and "Ana<" not in html


def test_staff_pages_are_never_stored_by_browsers_or_proxies(moderator):
    for path in ("/moderation/", "/moderation/dashboard", "/moderation/log"):
        response = moderator.client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


def test_a_flood_of_comments_is_counted_up_to_a_cap_and_still_paged_to_the_end(app, moderator, make_article):
    """Counting every pending comment on every queue load grew with the table (bench/run); the
    counts stop at 1,000 and the pages still reach the last comment."""
    make_article()
    with app.app_context():
        db.session.execute(db.insert(Comment), [
            {"article_id": 1, "author_name": f"R{n}", "body_raw": f"flood {n}", "body_html": f"<p>flood {n}</p>"}
            for n in range(1005)])
        db.session.commit()
    first = moderator.client.get("/moderation/").get_data(as_text=True)
    assert re.search(r'Pending <span class="count">\(1,000\+\)</span>', first)
    assert 'aria-label="1,000+ pending">1,000+<' in first
    assert "Page 1 of 40 or more" in first and "Next page" in first
    last = moderator.client.get("/moderation/?page=41").get_data(as_text=True)
    assert last.count('class="queue-item"') == 5 and "flood 1004" in last and "Next page" not in last
    assert moderator.client.get("/moderation/?page=42").status_code == 404
