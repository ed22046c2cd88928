"""An article's public state (comment count and page version) is kept by the database: a change made
with plain SQL, as an operator would make it, shows on the very next page load of every worker."""
import random

import pytest
from sqlalchemy import text

from blog.extensions import db
from blog.core.models import Article, Comment
from tests.helpers import browser_client, moderate
from tests.servers import Visitor


def operator_sql(app, statement: str, **params) -> None:
    """What an operator types into sqlite3 or psql: no application code runs."""
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(statement), params)


def article_state(app, slug):
    with app.app_context():
        return db.session.execute(db.select(Article.comment_count, Article.comments_version).filter_by(slug=slug)).one()


@pytest.fixture
def slug(make_article):
    return make_article()


def fresh_reader(app):
    return browser_client(app, f"198.51.100.{random.randint(1, 250)}")


def test_an_operators_sql_approval_shows_on_the_next_page_load(app, reader, slug):
    reader.comment(slug, name="Bea", body="Approved by hand in SQL.")
    before = fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)  # cached by this worker
    assert "Approved by hand in SQL." not in before and "0 comments" in before
    operator_sql(app, "UPDATE comment SET status = 'approved' WHERE author_name = 'Bea'")
    for path in (f"/post/{slug}", "/"):
        page = fresh_reader(app).get(path).get_data(as_text=True)
        assert "1 comment" in page, path
    assert "Approved by hand in SQL." in fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)


def test_sql_edits_and_deletes_of_approved_comments_show_at_once(app, reader, slug):
    reader.comment(slug, body="The first wording.")
    moderate(app, 1, "approved")
    assert "The first wording." in fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)
    operator_sql(app, "UPDATE comment SET body_html = '<p>The corrected wording.</p>' WHERE id = 1")
    assert "The corrected wording." in fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)
    operator_sql(app, "DELETE FROM comment WHERE id = 1")
    page = fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)
    assert "corrected" not in page and "0 comments" in page


def test_an_articles_own_fields_changed_in_sql_show_at_once(app, slug):
    fresh_reader(app).get(f"/post/{slug}")
    fresh_reader(app).get("/")
    operator_sql(app, "UPDATE article SET title = 'A Retitled Article' WHERE slug = :slug", slug=slug)
    assert "A Retitled Article" in fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)
    assert "A Retitled Article" in fresh_reader(app).get("/").get_data(as_text=True)


def test_a_view_does_not_change_the_page_version(app, slug):
    before = article_state(app, slug)
    fresh_reader(app).get(f"/post/{slug}")
    assert article_state(app, slug) == before


def test_the_count_follows_the_public_rule_through_any_sequence_of_changes(app, reader, slug):
    """Top-level approved comments and approved replies under an approved parent, whatever the order."""
    for n in range(4):
        reader.comment(slug, body=f"top {n}")
    moderate(app, 1, "approved")
    moderate(app, 2, "approved")
    reader.comment(slug, body="reply", parent_id="1")
    reader.comment(slug, body="reply two", parent_id="2")
    steps = random.Random(7)
    seen_versions = set()
    for _ in range(25):
        comment_id = steps.randint(1, 6)
        status = steps.choice(["approved", "pending", "spam", "rejected"])
        operator_sql(app, "UPDATE comment SET status = :status WHERE id = :id", status=status, id=comment_id)
        with app.app_context():
            comments = {c.id: c for c in db.session.execute(db.select(Comment)).scalars()}
        public = sum(1 for c in comments.values() if c.status == "approved"
                     and (c.parent_id is None or comments[c.parent_id].status == "approved"))
        count, version = article_state(app, slug)
        assert count == public
        seen_versions.add(version)
        page = fresh_reader(app).get(f"/post/{slug}").get_data(as_text=True)
        assert f"{public} comment" in page
    assert len(seen_versions) > 5


@pytest.mark.load
def test_an_operators_sql_approval_shows_on_both_gunicorn_workers(site):
    """Two workers, each with its page cache warm; then one UPDATE in SQL, and every next request shows it."""
    path = "/post/exploring-ketamine-as-a-promising-migraine-treatment"
    visitor = Visitor(site.server, agent="Mozilla/5.0 an operator's reader")
    form = {"csrf_token": visitor.token(path), "name": "Dana", "body": "Shown after an operator's SQL."}
    assert visitor.post(path + "/comments", form=form).status == 303
    for _ in range(20):  # both workers render and keep the page without the comment
        assert "Shown after an operator" not in site.server.request("GET", path).body
    operator_sql(site.app, "UPDATE comment SET status = 'approved' WHERE author_name = 'Dana'")
    for _ in range(20):
        reply = site.server.request("GET", path)
        assert "Shown after an operator" in reply.body
