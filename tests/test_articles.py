"""Importing articles from Markdown files: create, update, idempotence, bad files, samples."""
import datetime as dt


from blog.extensions import db
from blog.core.models import Article
from tests.helpers import article_source


def articles(app):
    with app.app_context():
        return {a.slug: a for a in db.session.execute(db.select(Article)).scalars()}


def test_import_creates_an_article_with_rendered_html(app, runner, tmp_path):
    (tmp_path / "a.md").write_text(article_source(image="images/migraine-hero.svg", image_alt="woman with migraine",
                                                  author="Dr. Lee", updated="2023-11-19", tags=["migraine", "pain"]))
    result = runner.invoke(args=["import-articles", str(tmp_path / "a.md")])
    assert result.exit_code == 0, result.output
    assert "created: exploring-ketamine-as-a-promising-migraine-treatment" in result.output
    article = articles(app)["exploring-ketamine-as-a-promising-migraine-treatment"]
    assert article.updated == dt.date(2023, 11, 19) and article.author == "Dr. Lee"
    assert '<h2 id="what-it-is">What it is</h2>' in article.body_html
    assert "<ol>" in article.body_html and "<strong>Bold lead.</strong>" in article.body_html
    assert article.summary == "An intro paragraph about migraine."
    assert article.tag_list == ["migraine", "pain"]
    assert article.image_alt == "woman with migraine"


def test_importing_an_unchanged_file_changes_nothing(app, runner, tmp_path):
    (tmp_path / "a.md").write_text(article_source())
    runner.invoke(args=["import-articles", str(tmp_path)])
    before = articles(app)["exploring-ketamine-as-a-promising-migraine-treatment"].modified_at
    result = runner.invoke(args=["import-articles", str(tmp_path)])
    assert "unchanged: exploring-ketamine" in result.output and result.exit_code == 0
    assert articles(app)["exploring-ketamine-as-a-promising-migraine-treatment"].modified_at == before


def test_reimport_updates_the_article_by_slug_and_keeps_its_views(app, runner, tmp_path):
    path = tmp_path / "a.md"
    path.write_text(article_source(slug="ketamine"))
    runner.invoke(args=["import-articles", str(path)])
    with app.app_context():
        db.session.execute(db.update(Article).values(view_count=4))
        db.session.commit()
    path.write_text(article_source(title="A new title", slug="ketamine"))
    result = runner.invoke(args=["import-articles", str(path)])
    assert "updated: ketamine" in result.output
    found = articles(app)
    assert list(found) == ["ketamine"]
    assert found["ketamine"].title == "A new title" and found["ketamine"].view_count == 4


def test_raw_script_in_markdown_never_reaches_the_html(app, runner, tmp_path):
    (tmp_path / "a.md").write_text(article_source(
        body="Intro.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n"))
    runner.invoke(args=["import-articles", str(tmp_path)])
    html = articles(app)["exploring-ketamine-as-a-promising-migraine-treatment"].body_html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_bad_files_are_reported_by_name_and_field_and_the_rest_still_import(app, runner, tmp_path):
    (tmp_path / "1-good.md").write_text(article_source(title="Good one"))
    (tmp_path / "2-no-title.md").write_text("---\npublished: 2023-01-01\n---\nBody\n")
    (tmp_path / "3-bad-date.md").write_text("---\ntitle: Bad date\npublished: Nov 19 2023\n---\nBody\n")
    (tmp_path / "4-bad-yaml.md").write_text("---\ntitle: [unclosed\npublished: 2023-01-01\n---\nBody\n")
    (tmp_path / "5-missing-image.md").write_text(article_source(title="Img", image="nope.png", image_alt="x"))
    result = runner.invoke(args=["import-articles", str(tmp_path)])
    assert result.exit_code != 0
    assert "2-no-title.md: title: is required" in result.output
    assert "3-bad-date.md: published: 'Nov 19 2023' is not a date" in result.output
    assert "4-bad-yaml.md: front matter: is not valid YAML" in result.output
    assert "5-missing-image.md: image: no file static/nope.png" in result.output
    assert list(articles(app)) == ["good-one"]


def test_init_db_is_idempotent_and_sample_imports_the_shipped_articles(app, runner):
    first = runner.invoke(args=["init-db", "--sample"])
    second = runner.invoke(args=["init-db", "--sample"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert second.output.count("unchanged:") == 3
    found = articles(app)
    assert len(found) == 3
    ketamine = found["exploring-ketamine-as-a-promising-migraine-treatment"]
    assert ketamine.image_alt == "woman with migraine" and ketamine.body_html.count("<h2") == 3
    assert ketamine.body_html.count("<ol>") == 2
    for article in found.values():
        assert article.image and article.body_html.count("<strong>") >= 3


def test_import_of_a_missing_path_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["import-articles", str(tmp_path / "nowhere")])
    assert result.exit_code != 0 and "no such file or folder" in result.output
