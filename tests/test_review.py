"""Reviewed content: an article a clinician reviewed says so under its title and in its JSON-LD, and the
dashboard lists the articles whose last review (or publication) is too old."""
import datetime as dt
import json
import re

from blog.core.models import utc_today
from tests.helpers import browser_client


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))


def test_a_reviewed_article_shows_who_reviewed_it_and_when(app, make_article):
    slug = make_article(reviewed_by="Dr. Jane Doe, MD", reviewed="2023-11-19")
    html = browser_client(app, "198.51.100.3").get(f"/post/{slug}").get_data(as_text=True)
    assert 'Medically reviewed by Dr. Jane Doe, MD · Reviewed <time datetime="2023-11-19">Nov 19, 2023</time>' in html
    data = json_ld(html)
    assert data["@type"] == "MedicalWebPage"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr. Jane Doe, MD"}
    assert data["lastReviewed"] == "2023-11-19"


def test_an_unreviewed_article_stays_a_blog_posting(app, make_article):
    slug = make_article()
    html = browser_client(app, "198.51.100.3").get(f"/post/{slug}").get_data(as_text=True)
    assert "Medically reviewed" not in html
    data = json_ld(html)
    assert data["@type"] == "BlogPosting" and "reviewedBy" not in data and "lastReviewed" not in data


def test_a_review_needs_both_who_and_when(app, runner, tmp_path):
    from tests.helpers import article_source
    for name, fields, field in (("who.md", {"reviewed_by": "Dr. Jane Doe"}, "reviewed:"),
                                ("when.md", {"reviewed": "2023-11-19"}, "reviewed_by:")):
        path = tmp_path / name
        path.write_text(article_source(**fields), encoding="utf-8")
        result = runner.invoke(args=["import-articles", str(path)])
        assert result.exit_code != 0 and field in result.output, result.output


def test_the_dashboard_lists_articles_due_for_review_oldest_first(app, make_article, moderator):
    today = utc_today()
    make_article(title="Old and never reviewed", published=(today - dt.timedelta(days=800)).isoformat())
    make_article(title="Reviewed long ago", published=(today - dt.timedelta(days=900)).isoformat(),
                 reviewed_by="Dr. Lee", reviewed=(today - dt.timedelta(days=400)).isoformat())
    make_article(title="Reviewed lately", published=(today - dt.timedelta(days=900)).isoformat(),
                 reviewed_by="Dr. Lee", reviewed=(today - dt.timedelta(days=30)).isoformat())
    make_article(title="New", published=(today - dt.timedelta(days=10)).isoformat())
    html = moderator.client.get("/moderation/dashboard").get_data(as_text=True)
    section = html.split('id="reviews-title"', 1)[1]
    assert "Reviewed lately" not in section and ">New<" not in section
    assert section.index("Old and never reviewed") < section.index("Reviewed long ago")
    assert "never reviewed, published" in section and "last reviewed" in section
    app.config["REVIEW_INTERVAL_DAYS"] = 20
    section = moderator.client.get("/moderation/dashboard").get_data(as_text=True).split('id="reviews-title"', 1)[1]
    assert "Reviewed lately" in section and ">New<" not in section
