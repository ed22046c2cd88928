"""Feeds and sharing: Atom, sitemap, robots.txt, canonical links, Open Graph, Twitter cards, JSON-LD."""
import json
import re
import xml.etree.ElementTree as ET

from tests.helpers import moderate

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_atom_feed_is_valid_and_has_full_content(app, client, make_article):
    app.config["SITE_URL"] = "https://blog.clinic.example"
    make_article(title="Older", published="2023-01-01")
    make_article(title="Newer", published="2024-01-01", updated="2024-02-01", author="Dr Lee")
    response = client.get("/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Newer", "Older"]
    newest = entries[0]
    assert newest.find(f"{ATOM}id").text == "https://blog.clinic.example/post/newer"
    assert newest.find(f"{ATOM}updated").text == "2024-02-01T00:00:00Z"
    assert "<strong>Bold lead.</strong>" in newest.find(f"{ATOM}content").text
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "Dr Lee"
    assert client.get("/feed.xml", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_sitemap_and_robots_use_the_configured_address(app, client, make_article):
    app.config["TRUSTED_HOSTS"] = ["blog.clinic.example"]
    make_article(title="Only")
    host = {"Host": "blog.clinic.example"}
    sitemap = ET.fromstring(client.get("/sitemap.xml", headers=host).data)
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == ["http://blog.clinic.example/", "http://blog.clinic.example/post/only"]
    robots = client.get("/robots.txt", headers=host).get_data(as_text=True)
    assert "Disallow: /moderation/" in robots and "Sitemap: http://blog.clinic.example/sitemap.xml" in robots


def test_without_a_configured_address_no_url_comes_from_the_request(client, make_article):
    """No SITE_URL or TRUSTED_HOSTS (as ./run.sh starts it): feeds and robots.txt name paths, never
    the Host, X-Forwarded-Host or Forwarded header a client sent."""
    make_article(title="Only")
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}
    for path in ("/feed.xml", "/sitemap.xml", "/robots.txt", "/", "/post/only"):
        body = client.get(path, headers=forged).get_data(as_text=True)
        assert "evil.example" not in body, path
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /moderation/" in robots and "Sitemap:" not in robots
    feed = ET.fromstring(client.get("/feed.xml").data)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
    assert entry.find(f"{ATOM}link").get("href") == "/post/only"


def test_article_pages_carry_canonical_and_sharing_metadata_without_commenters(app, reader, other_reader, make_article):
    slug = make_article(image="images/migraine-hero.svg", image_alt="woman with migraine", author="Dr Lee")
    app.config["SITE_URL"] = "https://blog.clinic.example"
    reader.comment(slug, name="Private Person", email="pp@example.org", body="hello")
    moderate(app, 1, "approved")
    html = other_reader.open(slug).get_data(as_text=True)
    canonical = f"https://blog.clinic.example/post/{slug}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:image:alt" content="woman with migraine">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))
    assert data["@type"] == "BlogPosting" and data["headline"].startswith("Exploring Ketamine")
    assert data["author"]["name"] == "Dr Lee" and data["url"] == canonical
    assert "Private Person" not in json.dumps(data) and "pp@example.org" not in html
