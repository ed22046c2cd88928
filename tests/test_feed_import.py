"""Moving in: an operator imports the clinic's old blog (a Wix RSS feed, an Atom feed, a WordPress export)
with `flask import-feed`, its images fetched from a real local HTTP server, every old link kept."""
import re
import time
from pathlib import Path

import pytest

from blog.core.models import Article, Comment, OldLink
from blog.extensions import db
from blog.operations import feed_sources, image_fetch
from tests.helpers import browser_client
from tests.servers import OldSite, png_bytes

FEEDS = Path(__file__).parent / "data" / "feeds"
KETAMINE = "exploring-ketamine-as-a-promising-migraine-treatment"


@pytest.fixture
def old_site():
    site = OldSite()
    site.add("/media/hero.png", png_bytes(200, 30, 30), "image/png")
    site.add("/media/infusion.png", png_bytes(30, 200, 30), "image/png")
    site.add("/media/sleep.png", png_bytes(30, 30, 200), "image/png")
    site.add("/pixel.gif", b"GIF89a" + b"\x00" * 30, "image/gif")
    site.add("/wp-content/uploads/2023/11/cover.png", png_bytes(90, 90, 90), "image/png")
    yield site
    site.stop()


@pytest.fixture
def imported_files(app):
    """Image files the import writes under static/images/imported/ are removed after the test."""
    folder = Path(app.static_folder) / image_fetch.IMPORTED_FOLDER
    before = set(folder.glob("*")) if folder.exists() else set()
    yield folder
    for path in (set(folder.glob("*")) if folder.exists() else set()) - before:
        path.unlink()


def feed_file(tmp_path, name: str, site: OldSite, **replace) -> Path:
    text = (FEEDS / name).read_text(encoding="utf-8").replace("{BASE}", site.base_url)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(runner, *args):
    return runner.invoke(args=["import-feed", *map(str, args)])


def articles(app) -> dict[str, Article]:
    with app.app_context():
        return {a.slug: a for a in db.session.execute(db.select(Article)).scalars()}


def comments(app) -> list[Comment]:
    with app.app_context():
        return db.session.execute(db.select(Comment).order_by(Comment.created_at)).scalars().all()


def test_a_wix_feed_becomes_articles_as_if_written_in_markdown(app, runner, tmp_path, old_site, imported_files):
    result = run_import(runner, feed_file(tmp_path, "wix-blog-feed.xml", old_site))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "3 images fetched" in result.output  # not the tracking pixel
    stored = articles(app)
    article = stored[KETAMINE]  # the slug of the old /post/<slug> link: Wix links keep working unchanged
    assert article.title == "Exploring Ketamine as a Promising Migraine Treatment"
    assert article.published.isoformat() == "2023-11-02" and article.author == "Dr. Lena Park"
    assert article.tag_list == ["Migraine", "Ketamine"]
    assert article.summary == "Ketamine is being studied as a new option for hard-to-treat migraine."
    assert article.body_markdown.count("\n## ") == 3 and "1. **Chronic migraine.** When other" in article.body_markdown
    html = article.body_html
    assert html.count("<h2") == 3 and html.count("<ol>") == 2 and "<strong>Arrive" not in html
    assert re.search(r"<li>\s*(<p>)?<strong>Chronic migraine\.</strong> When other treatments failed\.", html)
    assert "<blockquote>" in html and "<br" in html and "<em>NMDA receptors</em>" in html
    for noise in ("style=", "<span", "data-hook", "class=", "<script", "track()", "pixel.gif", "<div"):
        assert noise not in html, noise
    assert article.image.startswith("images/imported/") and article.image.endswith(".png")
    assert (Path(app.static_folder) / article.image).read_bytes() == png_bytes(200, 30, 30)
    assert re.search(r'<img alt="an infusion chair in a quiet room" src="/static/images/imported/[0-9a-f]+\.png"', html)
    page = browser_client(app, "198.51.100.2").get(f"/post/{KETAMINE}").get_data(as_text=True)
    assert "What ketamine does" in page and old_site.base_url not in page and "127.0.0.1:" not in page
    assert stored["sleep-and-migraine"].image.startswith("images/imported/")


def test_images_without_alt_text_are_imported_and_listed(app, runner, tmp_path, old_site, imported_files):
    result = run_import(runner, feed_file(tmp_path, "wix-blog-feed.xml", old_site))
    assert "images without alt text" in result.output
    listed = result.output.split("images without alt text", 1)[1]
    assert KETAMINE in listed and "sleep-and-migraine" in listed  # their covers came without any
    assert articles(app)[KETAMINE].image_alt == ""


def test_an_atom_feed_keeps_its_updated_date_and_summary(app, runner, tmp_path, old_site, imported_files):
    result = run_import(runner, feed_file(tmp_path, "atom.xml", old_site))
    assert result.exit_code == 0, result.output
    article = articles(app)["headache-diaries-that-help"]
    assert article.published.isoformat() == "2023-10-05" and article.updated.isoformat() == "2023-11-19"
    assert article.summary == "Writing attacks down shows patterns." and article.author == "Nurse Kim"
    assert "<h2" in article.body_html and "<strong>When.</strong>" in article.body_html
    page = browser_client(app, "198.51.100.2").get("/post/headache-diaries-that-help").get_data(as_text=True)
    assert "Updated: <time" in page
    redirect = browser_client(app, "198.51.100.2").get("/articles/headache-diaries")
    assert redirect.status_code == 301 and redirect.headers["Location"] == "/post/headache-diaries-that-help"


def test_a_wordpress_export_brings_posts_images_links_and_threaded_comments(app, runner, tmp_path, old_site,
                                                                             imported_files):
    result = run_import(runner, feed_file(tmp_path, "wordpress.xml", old_site))
    assert result.exit_code == 0, result.output
    assert "skipped: A Draft Nobody Saw (a draft at the source, not published)" in result.output
    stored = articles(app)
    assert set(stored) == {"first-infusion"}
    article = stored["first-infusion"]
    assert article.image_alt == "a calm waiting room" and article.image.startswith("images/imported/")
    assert article.tag_list == ["Treatment", "infusion"] and article.updated.isoformat() == "2023-11-20"
    assert article.summary == "What to do before and on the day."
    stored_comments = comments(app)

    def said(start: str) -> Comment:
        return next(c for c in stored_comments if c.body_raw.startswith(start))

    assert {c.status for c in stored_comments} == {"approved", "pending", "spam"}
    assert not any(c.body_raw.startswith("This one was trashed") for c in stored_comments)
    top = said("This helped me")
    assert top.parent_id is None and top.author_email == "maria@example.org" and top.status == "approved"
    assert said("Glad to hear it").parent_id == top.id and said("Glad to hear it").author_email is None
    assert said("A reply to the reply").parent_id == top.id  # a reply to a reply hangs under the thread's top
    assert said("Still waiting").status == "pending" and said("buy now").status == "spam"
    reader = browser_client(app, "198.51.100.2")
    page = reader.get("/post/first-infusion").get_data(as_text=True)
    assert "3 comments" in page and "This helped me <b>a lot</b>" in page and "Still waiting" not in page
    for old in ("/2023/11/19/first-infusion/", "/2023/11/19/first-infusion", "/?p=123"):
        response = reader.get(old)
        assert response.status_code == 301 and response.headers["Location"] == "/post/first-infusion", old
    assert reader.get("/2023/11/19/something-else/").status_code == 404
    assert "Page not found" in reader.get("/?p=999").get_data(as_text=True)
    with app.app_context():
        dump = repr([(c.author_name, c.author_email, c.body_raw, c.flags, c.origin) for c in comments(app)])
    assert "203.0.113.77" not in dump and "SecretAgent" not in dump and "198.51.100.9" not in dump


def test_importing_again_changes_nothing_and_a_changed_entry_updates(app, runner, tmp_path, old_site, imported_files):
    path = feed_file(tmp_path, "wordpress.xml", old_site)
    assert run_import(runner, path).exit_code == 0
    with app.app_context():
        before = (db.session.execute(db.select(Article.id, Article.source_hash, Article.comments_version)).all(),
                  db.session.execute(db.select(db.func.count()).select_from(Comment)).scalar_one(),
                  db.session.execute(db.select(db.func.count()).select_from(OldLink)).scalar_one())
    again = run_import(runner, path)
    assert "unchanged: first-infusion" in again.output and "0 created, 0 updated, 1 unchanged" in again.output
    with app.app_context():
        after = (db.session.execute(db.select(Article.id, Article.source_hash, Article.comments_version)).all(),
                 db.session.execute(db.select(db.func.count()).select_from(Comment)).scalar_one(),
                 db.session.execute(db.select(db.func.count()).select_from(OldLink)).scalar_one())
    assert after == before
    changed = feed_file(tmp_path, "wordpress.xml", old_site, **{"Eat a light meal": "Eat a small meal"})
    result = run_import(runner, changed)
    assert "updated: first-infusion" in result.output
    assert "Eat a small meal" in articles(app)["first-infusion"].body_html


def test_an_article_from_elsewhere_is_not_overwritten_without_replace(app, runner, tmp_path, old_site, make_article,
                                                                    imported_files):
    make_article(title="Sleep and Migraine", body="Written here, by hand.\n")
    path = feed_file(tmp_path, "wix-blog-feed.xml", old_site)
    result = run_import(runner, path)
    assert "skipped: sleep-and-migraine (an article with this slug exists and did not come from this source" in result.output
    assert "Written here" in articles(app)["sleep-and-migraine"].body_html
    result = run_import(runner, path, "--replace")
    assert "updated: sleep-and-migraine" in result.output
    assert "Regular sleep helps" in articles(app)["sleep-and-migraine"].body_html


def test_a_dry_run_says_what_would_happen_and_writes_nothing(app, runner, tmp_path, old_site, imported_files):
    before = set(imported_files.glob("*"))
    result = run_import(runner, feed_file(tmp_path, "wordpress.xml", old_site), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create: first-infusion" in result.output and "/2023/11/19/first-infusion/" in result.output
    assert "nothing was written" in result.output
    assert articles(app) == {} and comments(app) == []
    assert set(imported_files.glob("*")) == before
    assert not any(p.startswith("/wp-content") for p in old_site.requests)


def test_images_can_be_left_out_and_the_command_says_which(app, runner, tmp_path, old_site, imported_files):
    result = run_import(runner, feed_file(tmp_path, "wix-blog-feed.xml", old_site), "--images", "skip")
    assert result.exit_code == 0, result.output
    assert "Images left out (3)" in result.output and f"{old_site.base_url}/media/hero.png" in result.output
    article = articles(app)[KETAMINE]
    assert article.image is None and "<img" not in article.body_html and old_site.requests == []


def test_written_markdown_imports_into_the_same_site(app, runner, tmp_path, old_site, imported_files):
    folder = tmp_path / "owned"
    assert run_import(runner, feed_file(tmp_path, "wix-blog-feed.xml", old_site), "--write-markdown", folder).exit_code == 0
    first = {slug: (a.title, a.body_html, a.image, a.summary, a.tags) for slug, a in articles(app).items()}
    assert (folder / f"{KETAMINE}.md").read_text().startswith("---\ntitle: Exploring Ketamine")
    assert (folder / first[KETAMINE][2]).is_file()  # its images beside it
    with app.app_context():  # a new install: no articles and no imported images in static/
        db.session.execute(db.delete(Article))
        db.session.commit()
    for copy in (folder / "images" / "imported").iterdir():  # this import's own images, nothing else
        (imported_files / copy.name).unlink()
    result = runner.invoke(args=["import-articles", str(folder)])
    assert result.exit_code == 0, result.output
    assert {slug: (a.title, a.body_html, a.image, a.summary, a.tags) for slug, a in articles(app).items()} == first


BAD_SOURCES = {
    "malformed XML": (b"<rss><channel><item><title>x</item></rss>", "not well-formed XML"),
    "entity expansion": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                         b"<rss><channel><item><title>&b;</title></item></channel></rss>", "entities"),
    "external entity": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b"<rss><channel><item><title>&x;</title><link>http://a/post/x</link></item></channel></rss>",
                        "entities"),
    "not a feed": (b"<html><body>hello</body></html>", "neither an RSS nor an Atom feed"),
}


@pytest.mark.parametrize("name", BAD_SOURCES)
def test_a_bad_source_is_refused_in_one_line_and_nothing_is_written(app, runner, tmp_path, name):
    raw, message = BAD_SOURCES[name]
    path = tmp_path / "source.xml"
    path.write_bytes(raw)
    result = run_import(runner, path)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert "root:" not in result.output and articles(app) == {}


def test_a_source_over_the_size_cap_is_refused(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(feed_sources, "MAX_SOURCE_BYTES", 100)
    path = tmp_path / "big.xml"
    path.write_bytes(b"<rss>" + b" " * 200 + b"</rss>")
    result = run_import(runner, path)
    assert result.exit_code == 1 and "larger than" in result.output


def test_a_source_is_fetched_from_a_url(app, runner, tmp_path, old_site, imported_files):
    old_site.add("/blog-feed.xml", feed_file(tmp_path, "atom.xml", old_site).read_bytes(), "application/atom+xml")
    result = run_import(runner, f"{old_site.base_url}/blog-feed.xml")
    assert result.exit_code == 0, result.output
    assert "headache-diaries-that-help" in articles(app)


@pytest.mark.parametrize("case,replace,expected", [
    ("no title", {"<title><![CDATA[Sleep and Migraine]]></title>": ""}, "title: missing"),
    ("no link", {"<link>{BASE}/post/sleep-and-migraine</link>": ""}, "link: missing"),
    ("bad date", {"Mon, 20 Nov 2023 09:00:00 GMT": "the twentieth of never"}, "date: published date"),
    ("missing image", {"/media/sleep.png": "/media/gone.png"}, "cover image: "),
    ("not an image", {"/media/sleep.png": "/media/page.html"}, "is not a JPEG, PNG, GIF or WebP image"),
    ("svg", {"/media/sleep.png": "/media/drawing.svg"}, "SVG and other files are refused"),
    ("too big", {"/media/sleep.png": "/media/huge.png"}, "is larger than"),
    ("too slow", {"/media/sleep.png": "/media/slow.png"}, "too slow"),
])
def test_a_bad_entry_fails_alone_naming_the_field(app, runner, tmp_path, old_site, imported_files, monkeypatch,
                                                  case, replace, expected):
    old_site.add("/media/page.html", b"<html>not an image</html>", "image/png")
    old_site.add("/media/drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                 "image/svg+xml")
    old_site.add("/media/huge.png", png_bytes(1, 1, 1)[:8] + bytes(range(256)) * 20, "image/png")
    old_site.add("/media/slow.png", png_bytes(1, 2, 3), "image/png")
    old_site.delays["/media/slow.png"] = 1.5
    monkeypatch.setattr(image_fetch, "MAX_IMAGE_BYTES", 1000)
    monkeypatch.setattr(image_fetch, "TIMEOUT_SECONDS", 0.5)
    replace = {k.replace("{BASE}", old_site.base_url): v for k, v in replace.items()}
    result = run_import(runner, feed_file(tmp_path, "wix-blog-feed.xml", old_site, **replace))
    assert result.exit_code == 1 and "Traceback" not in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("[") and "failed" in line]
    assert len(failed) == 1 and expected in failed[0], result.output
    assert set(articles(app)) == {KETAMINE}  # the other entry imports; the failed one wrote nothing
    assert "1 created" in result.output and "1 failed" in result.output


def test_a_retitled_entry_updates_its_article_under_the_same_slug(app, runner, tmp_path, old_site, imported_files):
    assert run_import(runner, feed_file(tmp_path, "atom.xml", old_site)).exit_code == 0
    retitled = feed_file(tmp_path, "atom.xml", old_site,
                         **{"<title>Headache Diaries That Help</title>": "<title>Headache Diaries That Really Help</title>"})
    result = run_import(runner, retitled)
    assert "updated: headache-diaries-that-help" in result.output
    stored = articles(app)
    assert list(stored) == ["headache-diaries-that-help"]
    assert stored["headache-diaries-that-help"].title == "Headache Diaries That Really Help"


def test_an_old_link_with_non_ascii_characters_still_redirects(app, runner, tmp_path, old_site, imported_files):
    path = feed_file(tmp_path, "atom.xml", old_site,
                     **{"/articles/headache-diaries": "/articles/%D7%A9%D7%99%D7%A0%D7%94-caf%C3%A9"})
    assert run_import(runner, path).exit_code == 0
    response = browser_client(app, "198.51.100.2").get("/articles/%D7%A9%D7%99%D7%A0%D7%94-caf%C3%A9")
    assert response.status_code == 301 and response.headers["Location"] == "/post/headache-diaries-that-help"


def test_an_image_that_trickles_in_is_too_slow(app, runner, tmp_path, monkeypatch):
    """The timeout is for the whole download: a server sending a byte now and then cannot stall the import."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def trickle():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100\r\n\r\n")
        for _ in range(30):  # 9 s of trickle, if nobody gives up
            try:
                connection.sendall(b"\x89")
            except OSError:
                break
            time.sleep(0.3)
        connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    monkeypatch.setattr(image_fetch, "TIMEOUT_SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(image_fetch.ImageError, match="too slow"):
        image_fetch.download(f"http://127.0.0.1:{listener.getsockname()[1]}/slow.png")
    assert time.monotonic() - started < 5  # given up after about the 1 s allowed, not after the 9 s trickle
    listener.close()


def test_a_source_that_is_no_valid_address_is_a_clear_line(app, runner):
    result = run_import(runner, "http://[::1/feed")
    assert result.exit_code == 1 and "error: source:" in result.output and "Traceback" not in result.output
