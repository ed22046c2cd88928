"""What readers see: the index, an article page, the 404 page."""
import datetime as dt
import re

from blog.extensions import db
from blog.core.models import Article, ArticleListVersion, Comment
from tests.helpers import moderate


def test_article_page_shows_everything_the_old_site_did(client, make_article):
    slug = make_article(updated="2023-11-19", author="Clinic care team",
                        image="images/migraine-hero.svg", image_alt="woman with migraine")
    html = client.get(f"/post/{slug}").get_data(as_text=True)
    assert "<h1 id=\"post-title\">Exploring Ketamine as a Promising Migraine Treatment</h1>" in html
    assert "Updated: <time datetime=\"2023-11-19\">Nov 19, 2023</time>" in html
    assert "Published <time datetime=\"2023-10-02\">Oct 2, 2023</time>" in html
    assert "By Clinic care team" in html
    assert re.search(r'<img class="hero" src="/static/images/migraine-hero.svg\?v=[0-9a-f]{10}"\s+alt="woman with migraine"', html)
    assert "<strong>Bold lead.</strong>" in html and "1 min read" in html
    assert "1 view · 0 comments" in html


def test_update_line_is_hidden_when_the_dates_match(client, make_article):
    slug = make_article(updated="2023-10-02")
    assert "Updated:" not in client.get(f"/post/{slug}").get_data(as_text=True)


def test_counts_use_singular_and_plural(app, client, make_article):
    slug = make_article()
    with app.app_context():
        from blog.core.models import Article
        article = db.session.execute(db.select(Article)).scalar_one()
        db.session.add(Comment(article_id=article.id, author_name="A", body_raw="x", body_html="<p>x</p>"))
        article.view_count = 1233
        db.session.commit()
    moderate(app, 1, "approved")
    assert "1,234 views · 1 comment" in client.get(f"/post/{slug}").get_data(as_text=True)


def test_index_lists_published_articles_newest_first_with_counts(client, make_article):
    make_article(title="Older", published="2023-01-05")
    make_article(title="Newer", published="2024-03-01", summary="Short summary here.")
    make_article(title="Scheduled", published=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    html = client.get("/").get_data(as_text=True)
    assert html.index(">Newer<") < html.index(">Older<")
    assert "Scheduled" not in html
    assert "Short summary here." in html and "0 views · 0 comments" in html


def test_scheduled_article_is_not_found_yet(client, make_article):
    slug = make_article(title="Scheduled", published=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    assert client.get(f"/post/{slug}").status_code == 404


def test_index_pages_ten_articles_at_a_time(client, make_article):
    for n in range(11):
        make_article(title=f"Article {n:02d}", published=f"2023-01-{n + 1:02d}")
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert first.count('class="article-card"') == 10 and "Article 10" in first and "Older articles" in first
    assert second.count('class="article-card"') == 1 and "Article 00" in second
    assert client.get("/?page=9").status_code == 404


def test_the_index_page_count_follows_articles_added_scheduled_and_deleted(app, client, make_article):
    """The index keeps its count of published articles between requests: any change to the list shows
    at once, even when it is an old article on a later page and the first page lists the same ones."""
    for n in range(10):
        make_article(title=f"Article {n:02d}", published=f"2023-01-{n + 1:02d}")
    assert "Page 1 of" not in client.get("/").get_data(as_text=True)
    extra = make_article(title="Older article", published="2022-12-31")
    assert "Page 1 of 2" in client.get("/").get_data(as_text=True)
    assert "Page 2 of 2" in client.get("/?page=2").get_data(as_text=True)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    make_article(title="Older article", published=tomorrow.isoformat())  # re-dated: scheduled, not public yet
    assert "Page 1 of" not in client.get("/").get_data(as_text=True)
    make_article(title="Older article", published="2022-12-31")
    assert "Page 1 of 2" in client.get("/").get_data(as_text=True)
    with app.app_context():  # an operator deletes it with SQL
        db.session.execute(db.delete(Article).where(Article.slug == extra))
        db.session.commit()
    assert "Page 1 of" not in client.get("/").get_data(as_text=True)
    assert client.get("/?page=2").status_code == 404


def test_the_index_still_counts_right_when_the_list_version_row_is_gone(app, client, make_article):
    for n in range(10):
        make_article(title=f"Article {n:02d}", published=f"2023-01-{n + 1:02d}")
    with app.app_context():  # removed by hand: the index counts on every request instead
        db.session.execute(db.delete(ArticleListVersion))
        db.session.commit()
    assert "Page 1 of" not in client.get("/").get_data(as_text=True)
    make_article(title="Older article", published="2022-12-31")
    assert "Page 1 of 2" in client.get("/").get_data(as_text=True)


def test_unknown_article_gets_a_styled_404(client):
    response = client.get("/post/no-such-article")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in html and 'href="/static/style.css?v=' in html and "Traceback" not in html


def test_pages_are_accessible_and_self_contained(client, make_article):
    slug = make_article(image="images/migraine-hero.svg", image_alt="woman with migraine")
    for html in (client.get("/").get_data(as_text=True), client.get(f"/post/{slug}").get_data(as_text=True)):
        assert '<html lang="en">' in html
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
        assert "<header" in html and "<footer" in html
        assert 'name="viewport"' in html
        # Nothing is loaded from another host, and no inline script or style.
        assert all(src.startswith("/") for src in re.findall(r'\ssrc="([^"]*)"', html))
        assert all(href.startswith("/") for href in re.findall(r'<link rel="stylesheet" href="([^"]*)"', html))
        for script in re.findall(r"<script[^>]*>", html):
            assert 'type="application/ld+json"' in script or re.search(r'src="/', script)
        assert "style=" not in html and "<style" not in html
    article = client.get(f"/post/{slug}").get_data(as_text=True)
    for field in ("name", "email", "body"):
        assert re.search(rf'<label for="{field}">', article) and f'id="{field}"' in article
