"""The dashboard: pending count, 30 days of views and comments as SVG with tables, top articles."""
import re

from blog.extensions import db
from blog.core.models import Article


def test_dashboard_shows_counts_charts_tables_and_top_articles(app, moderator, reader, other_reader, make_article):
    quiet = make_article(title="Quiet article")
    busy = make_article(title="Busy article")
    reader.open(busy)
    other_reader.open(busy)
    reader.open(quiet)
    reader.comment(busy, body="Question")
    html = moderator.client.get("/moderation/dashboard").get_data(as_text=True)
    assert "<strong>1</strong> comment waiting for moderation" in html
    assert "Views: 3 in the last 30 days" in html and "Comments: 1 in the last 30 days" in html
    assert html.count('<svg class="chart"') == 2 and 'role="img"' in html
    assert "<desc" in html and "3 in the last 30 days; the busiest day had 3." in html
    assert html.count("<rect") == 60
    assert "Views as a table" in html
    assert html.index("Busy article") < html.index("Quiet article")
    assert "<script" not in html
    with app.app_context():
        assert db.session.execute(db.select(Article.view_count).filter_by(slug=busy)).scalar_one() == 2


def test_every_moderation_page_shows_the_pending_badge(moderator, reader, make_article):
    slug = make_article()
    reader.comment(slug, body="Waiting")
    for path in ("/moderation/", "/moderation/dashboard", "/moderation/log", "/moderation/comments/1"):
        html = moderator.client.get(path).get_data(as_text=True)
        assert re.search(r'class="count-badge" aria-label="1 pending">1<', html), path
