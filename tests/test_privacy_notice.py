"""The privacy notice: linked from every page and by the comment button, the clinic's own or a default
that says what is stored; every comment records the version it was sent under, and the export shows it."""
import json
import re
from pathlib import Path

import pytest

from blog.core.models import Comment
from blog.extensions import db


@pytest.fixture
def app_config(app_config, tmp_path, monkeypatch):
    """The app's instance folder (where a clinic puts privacy.md) is this test's own, not the project's."""
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    return app_config


def test_the_default_notice_says_what_is_stored_and_every_page_links_it(app, client, make_article):
    slug = make_article()
    notice = client.get("/privacy")
    html = notice.get_data(as_text=True)
    assert notice.status_code == 200 and '<h1 id="privacy-title">Privacy notice</h1>' in html
    for promise in ("sets no cookie", "keyed hash", f"{app.config['VIEW_DEDUPE_MINUTES']} minutes",
                    "Only our moderators", "never shown on the site"):
        assert promise in html, promise
    assert "generated from this site's settings" in html and notice.headers.get("Set-Cookie") is None
    for path in ("/", f"/post/{slug}", "/no-such-page"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path
    article = client.get(f"/post/{slug}").get_data(as_text=True)
    assert 'id="consent">Sending publishes your name and comment once our staff have read it' in article


def test_the_clinics_own_notice_replaces_the_default(app, client):
    notice_file = Path(app.instance_path) / "privacy.md"
    notice_file.write_text("# Our notice\n\nWritten by the clinic's data protection officer.\n\n## Your rights\n\n"
                           "Ask us.\n", encoding="utf-8")
    try:
        html = client.get("/privacy").get_data(as_text=True)
        assert "data protection officer" in html and "generated from this site" not in html
        # Its headings keep their order under the page's own <h1>, one level down.
        assert re.search(r"<h2[^>]*>Our notice</h2>", html) and re.search(r"<h3[^>]*>Your rights</h3>", html)
    finally:
        notice_file.unlink()


def test_each_comment_records_the_notice_it_was_sent_under_and_the_export_shows_it(app, reader, make_article,
                                                                                   runner, tmp_path):
    slug = make_article()
    reader.comment(slug, body="Under the default notice.")
    notice_file = Path(app.instance_path) / "privacy.md"
    notice_file.write_text("# Version two\n", encoding="utf-8")
    try:
        reader.comment(slug, body="Under the clinic's notice.")
    finally:
        notice_file.unlink()
    with app.app_context():
        versions = [c.notice_version for c in db.session.execute(db.select(Comment).order_by(Comment.id)).scalars()]
    assert len(versions) == 2 and all(v and len(v) == 16 for v in versions) and versions[0] != versions[1]
    assert runner.invoke(args=["export", str(tmp_path / "out.json")]).exit_code == 0
    exported = json.loads((tmp_path / "out.json").read_text())
    assert [c["notice_version"] for c in exported["comments"]] == versions


def test_a_notice_saved_in_another_encoding_is_shown_not_a_server_error(app, client, reader, make_article):
    notice_file = Path(app.instance_path) / "privacy.md"
    notice_file.write_bytes("# Our notice\n\nWe \u201ccare\u201d.\n".encode("cp1252"))
    try:
        page = client.get("/privacy")
        assert page.status_code == 200 and "Our notice" in page.get_data(as_text=True)
        assert reader.comment(make_article(), body="Sent under it.").status_code == 303
    finally:
        notice_file.unlink()


def test_the_default_notice_says_how_long_emails_are_kept_and_when_comments_appear(app, client):
    app.config.update(COMMENT_EMAIL_RETENTION_DAYS=180, MODERATION_TRUST_RETURNING=True)
    html = client.get("/privacy").get_data(as_text=True)
    assert "180 days after you wrote it" in html and "may appear at once" in html


def test_a_changed_setting_changes_the_default_notice_and_its_version_at_once(app, client, reader, make_article):
    slug = make_article()
    assert "365 days after you wrote it" in client.get("/privacy").get_data(as_text=True)
    reader.comment(slug, body="Under a year's retention.")
    app.config["COMMENT_EMAIL_RETENTION_DAYS"] = 30  # as a restarted site with a new setting would have it
    assert "30 days after you wrote it" in client.get("/privacy").get_data(as_text=True)
    reader.comment(slug, body="Under a month's retention.")
    with app.app_context():
        first, second = db.session.execute(db.select(Comment.notice_version).order_by(Comment.id)).scalars()
    assert first != second
