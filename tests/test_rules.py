"""Moderation rules applied on arrival: links, block and watch lists, personal information, trust, closing."""
import datetime as dt

import pytest

from blog.extensions import db
from blog.core.models import Comment, utc_today
from blog.core.rules import has_personal_information
from tests.helpers import moderate

SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


def last_comment(app):
    with app.app_context():
        return db.session.execute(db.select(Comment).order_by(Comment.id.desc())).scalars().first()


@pytest.fixture
def article(make_article):
    return make_article()


@pytest.mark.parametrize("links,status,flagged", [(2, "pending", False), (3, "pending", True), (5, "spam", True)])
def test_links_over_the_limit_are_flagged_and_far_over_are_spam(app, reader, article, links, status, flagged):
    body = " ".join(f"https://site{n}.org/page" for n in range(links))
    reader.comment(SLUG, body=body)
    comment = last_comment(app)
    assert comment.status == status and ("many links" in comment.flag_list) == flagged


def test_blocklisted_words_are_spam_whole_words_only(app, app_config, reader, article):
    app.config["MODERATION_BLOCKLIST"] = ["casino", "cheap pills"]
    reader.comment(SLUG, body="Visit our CASINO tonight")
    assert last_comment(app).status == "spam" and "blocked word" in last_comment(app).flag_list
    reader.comment(SLUG, body="Buy CHEAP   pills")
    assert last_comment(app).status == "spam"
    reader.comment(SLUG, body="Occasionally I get casinos confused")  # not a whole word
    assert last_comment(app).status == "pending" and last_comment(app).flag_list == []


def test_watchlisted_words_are_flagged_but_stay_pending(app, reader, article):
    app.config["MODERATION_WATCHLIST"] = "dosage, overdose"
    reader.comment(SLUG, body="What dosage did you get?")
    assert last_comment(app).status == "pending" and last_comment(app).flag_list == ["watched word"]


@pytest.mark.parametrize("text,expected", [
    ("Call me at +1 (555) 123-4567", True),
    ("my number is 0612345678", True),
    ("write to jane.doe@example.org", True),
    ("I was born on 03/04/1985", True),
    ("DOB: March 3, 2001", True),
    ("born 1979-05-02", True),
    ("I started in 2023 and it helped", False),
    ("My first infusion was on Nov 19, 2023", False),
    ("Took 50 mg twice a day", False),
    ("Started 2023-11-19", False),
])
def test_personal_information_detection(text, expected):
    assert has_personal_information(text, today=dt.date(2026, 11, 24)) is expected


def test_a_comment_with_personal_information_is_flagged_and_never_auto_approved(app, reader, other_reader, article):
    app.config["MODERATION_TRUST_RETURNING"] = True
    reader.comment(SLUG, body="First", email="ana@example.org")
    moderate(app, 1, "approved")
    reader.comment(SLUG, body="My phone is 555 123 4567", email="ana@example.org", send_anyway="yes")
    comment = last_comment(app)
    assert comment.status == "pending" and comment.flag_list == ["personal information"]
    assert "555 123 4567" not in other_reader.open(SLUG).get_data(as_text=True)


def test_trusted_returning_commenters_are_approved_directly_only_when_enabled(app, reader, other_reader, article):
    reader.comment(SLUG, body="First", email="Ana@Example.org")
    moderate(app, 1, "approved")
    reader.comment(SLUG, body="Second, trust off", email="ana@example.org")
    assert last_comment(app).status == "pending"
    app.config["MODERATION_TRUST_RETURNING"] = True
    reader.comment(SLUG, body="Third, trust on", email="ana@example.org")
    assert last_comment(app).status == "approved"
    assert "Third, trust on" in other_reader.open(SLUG).get_data(as_text=True)
    reader.comment(SLUG, body="A stranger", email="new@example.org")
    assert last_comment(app).status == "pending"


def test_comments_close_on_old_articles_when_configured(app, reader, make_article):
    old = make_article(title="Old article", published="2020-01-01")
    fresh = make_article(title="Fresh article", published=utc_today().isoformat())
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = 90
    assert "Comments are closed" in reader.open(old).get_data(as_text=True)
    assert reader.comment(fresh, body="hi").status_code == 303
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = None
    assert 'id="comment-form"' in reader.open(old).get_data(as_text=True)
