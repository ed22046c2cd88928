"""An article moved in from the old site, in a real Chromium: it shows its images, and the page asks
no host but this site's (the old host served every image once, to the import, and never again)."""
from pathlib import Path

from blog.operations import image_fetch
from blog.operations.feed_import import import_feed
from tests.servers import OldSite, png_bytes

FEED = Path(__file__).resolve().parent.parent / "data" / "feeds" / "wix-blog-feed.xml"
SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


def test_an_imported_article_shows_its_images_and_asks_no_other_host(site, open_context):
    old = OldSite()
    old.add("/media/hero.png", png_bytes(200, 30, 30, size=8), "image/png")
    old.add("/media/infusion.png", png_bytes(30, 200, 30, size=8), "image/png")
    old.add("/media/sleep.png", png_bytes(30, 30, 200, size=8), "image/png")
    folder = Path(site.app.static_folder) / image_fetch.IMPORTED_FOLDER
    before = set(folder.glob("*")) if folder.exists() else set()
    try:
        raw = FEED.read_text(encoding="utf-8").replace("{BASE}", old.base_url).encode()
        with site.app.app_context():
            report = import_feed(raw, Path(site.app.static_folder), replace=True)
        assert not report.failed
        fetched_by_import = len(old.requests)
        page, watcher = open_context(agent_suffix=" imported-article")
        page.goto(site.url(f"/post/{SLUG}"))
        page.wait_for_load_state("networkidle")
        assert page.locator("h2").filter(has_text="What ketamine does").count() == 1
        sizes = page.eval_on_selector_all(".post-body img, img.hero", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(sizes) == 2 and all(size == 8 for size in sizes)  # both images load, from this site
        assert watcher.foreign_requests == [] and len(old.requests) == fetched_by_import
        watcher.assert_clean()
    finally:
        old.stop()
        for path in (set(folder.glob("*")) if folder.exists() else set()) - before:
            path.unlink()
