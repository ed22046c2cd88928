"""Retention and access: commenters' email addresses go after COMMENT_EMAIL_RETENTION_DAYS, spam and
rejected comments are purged by when they were marked, and a commenter can get everything stored."""
import datetime as dt
import json

from blog.core.models import Comment, ModerationEvent, utcnow
from blog.extensions import db
from blog.operations.housekeeping import run_once
from tests.helpers import moderate, stored_comments


def age(app, comment_id: int, days: int, status_days: int | None = None) -> None:
    """Make a comment (and, if given, its last status change) that many days old."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.created_at = utcnow() - dt.timedelta(days=days)
        if status_days is not None:
            comment.status_changed_at = utcnow() - dt.timedelta(days=status_days)
        db.session.commit()


def test_old_comments_lose_their_email_daily_and_the_log_says_how_many(app, reader, make_article, runner):
    slug = make_article()
    reader.comment(slug, name="Old", email="old@example.org", body="Written long ago.")
    reader.comment(slug, name="New", email="new@example.org", body="Written today.")
    age(app, 1, days=400)
    app.config["COMMENT_EMAIL_RETENTION_DAYS"] = 365
    assert run_once(app) == 1  # what each web worker does once a day
    emails = {c.author_name: c.author_email for c in stored_comments(app)}
    assert emails == {"Old": None, "New": "new@example.org"}
    assert {c.body_raw for c in stored_comments(app)} == {"Written long ago.", "Written today."}
    with app.app_context():
        [line] = db.session.execute(db.select(ModerationEvent).filter_by(action="erase old emails")).scalars()
    assert line.note == "erased the email address of 1 comment older than 365 days" and "@" not in line.note
    assert "Erased the email address of 0" in runner.invoke(args=["housekeeping"]).output


def test_purge_erases_old_emails_too(app, reader, make_article, runner):
    slug = make_article()
    reader.comment(slug, email="old@example.org")
    age(app, 1, days=500)
    result = runner.invoke(args=["purge", "--spam-older-than", "30d"])
    assert result.exit_code == 0 and "Erased the email address of 1 comment(s)" in result.output
    assert stored_comments(app)[0].author_email is None


def test_spam_is_purged_by_when_it_was_marked_not_when_it_was_written(app, reader, make_article, runner):
    slug = make_article()
    reader.comment(slug, name="Marked today", body="old, but marked spam today")
    reader.comment(slug, name="Marked long ago", body="marked spam weeks ago")
    moderate(app, 1, "spam")
    moderate(app, 2, "spam")
    age(app, 1, days=90)                    # written 90 days ago, marked spam just now
    age(app, 2, days=50, status_days=40)    # marked spam 40 days ago
    result = runner.invoke(args=["purge", "--spam-older-than", "30d"])
    assert "Removed 1 spam comment(s): #2" in result.output
    assert [c.author_name for c in stored_comments(app)] == ["Marked today"]


def test_a_commenter_gets_everything_stored_under_their_address(app, reader, other_reader, make_article, runner):
    slug = make_article()
    reader.comment(slug, name="Ana", email="Ana@Example.org", body="First.")
    reader.comment(slug, name="Ana", email="ana@example.org", body="Second.")
    other_reader.comment(slug, name="Bo", email="bo@example.org", body="Not Ana's.")
    moderate(app, 1, "approved")
    result = runner.invoke(args=["export-commenter", "ANA@example.org"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["body_raw"] for c in data["comments"]] == ["First.", "Second."]
    first = data["comments"][0]
    assert first["status"] == "approved" and first["article"]["slug"] == slug
    assert first["notice_version"] and first["created_at"] and first["status_changed_at"]
    assert "Not Ana" not in result.output and data["notifications"]["subscriptions"] == []
