"""Operator commands on a populated database: backup, export, purge, forget-commenter, stats."""
import datetime as dt
import json
import sqlite3

import pytest

from blog.extensions import db
from blog.core.models import Comment, ModerationEvent, utcnow


@pytest.fixture
def populated(app, make_article, moderator):
    make_article()
    now = utcnow()
    rows = [
        ("Ana", "ana@example.org", "approved", now - dt.timedelta(days=100)),
        ("Ana", "ANA@example.org", "pending", now - dt.timedelta(days=1)),
        ("Bot", None, "spam", now - dt.timedelta(days=40)),
        ("Bot", None, "spam", now - dt.timedelta(days=5)),
        ("Rude", "rude@example.org", "rejected", now - dt.timedelta(days=120)),
        ("Rude", "rude@example.org", "rejected", now - dt.timedelta(days=10)),
    ]
    with app.app_context():
        for name, email, status, created in rows:
            db.session.add(Comment(article_id=1, author_name=name, author_email=email, body_raw=f"by {name}",
                                   body_html=f"<p>by {name}</p>", status=status, created_at=created,
                                   status_changed_at=created))
        db.session.commit()
    moderator.act("approve", 2)
    return app


@pytest.mark.only_on("postgresql")
def test_backup_on_postgresql_points_to_pg_dump(populated, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 1 and "pg_dump" in result.output


@pytest.mark.only_on("sqlite")
def test_backup_makes_a_consistent_copy_of_the_live_sqlite_database(populated, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "copy.sqlite") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM comment").fetchone() == (6,)
    again = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert again.exit_code == 1 and "already exists" in again.output


def test_export_writes_everything_but_password_hashes(populated, runner, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "export.json")])
    assert result.exit_code == 0 and "6 comments" in result.output
    data = json.loads((tmp_path / "export.json").read_text())
    assert [c["status"] for c in data["comments"]] == ["approved", "approved", "spam", "spam", "rejected", "rejected"]
    assert data["articles"][0]["slug"] == "exploring-ketamine-as-a-promising-migraine-treatment"
    assert data["moderators"][0]["email"] == "nurse@clinic.example"
    assert "password_hash" not in json.dumps(data) and "scrypt" not in json.dumps(data)
    assert data["moderation_log"][0]["action"] == "approve"


def test_purge_removes_only_old_spam_and_rejected_comments(populated, runner):
    result = runner.invoke(args=["purge", "--spam-older-than", "30d", "--rejected-older-than", "90d"])
    assert result.exit_code == 0
    assert "Removed 1 spam comment(s): #3" in result.output
    assert "Removed 1 rejected comment(s): #5" in result.output
    with populated.app_context():
        left = db.session.execute(db.select(Comment.id).order_by(Comment.id)).scalars().all()
    assert left == [1, 2, 4, 6]


def test_purge_refuses_a_bad_age(runner, populated):
    result = runner.invoke(args=["purge", "--spam-older-than", "soon"])
    assert result.exit_code == 1 and "is not an age like 30d" in result.output


def test_forget_commenter_erases_name_and_email_everywhere(populated, runner, other_reader):
    result = runner.invoke(args=["forget-commenter", "Ana@Example.org"])
    assert result.exit_code == 0 and "from 2 comment(s)" in result.output
    with populated.app_context():
        anas = db.session.execute(db.select(Comment).where(Comment.id.in_([1, 2]))).scalars().all()
        events = db.session.execute(db.select(ModerationEvent)).scalars().all()
    assert {(c.author_name, c.author_email) for c in anas} == {("Former reader", None)}
    assert events[-1].action == "forget commenter" and events[-1].note == "erased name and email from 2 comments"
    assert "ana@example.org" not in json.dumps([e.note for e in events]).lower()
    page = other_reader.open("exploring-ketamine-as-a-promising-migraine-treatment").get_data(as_text=True)
    assert "Former reader" in page and ">Ana<" not in page


def test_stats_counts_articles_views_and_comments_by_status(populated, runner):
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 0
    for line in ("Articles: 1", "Views: 0", "Comments pending: 0", "Comments approved: 2",
                 "Comments spam: 2", "Comments rejected: 2"):
        assert line in result.output
