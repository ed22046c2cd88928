"""Reading another blog's export into plain entries: RSS 2.0 (as Wix serves it) and Atom through
feedparser, a WordPress export (WXR) through defusedxml's ElementTree.

Every source is first parsed by defusedxml with entities forbidden: a document that declares an
entity (the billion-laughs expansion, an external `file:///etc/passwd` entity) or that is not
well-formed XML is refused as a whole, with a line saying why, before any other parser sees it."""
from __future__ import annotations

import calendar
import datetime as dt
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

MAX_SOURCE_BYTES = 50 * 1024 * 1024
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


class SourceError(ValueError):
    """The whole source cannot be read; the message says why, for the operator."""


@dataclass
class SourceImage:
    url: str
    alt: str | None = None


@dataclass
class SourceComment:
    """A WordPress comment: `key` and `parent_key` are its ids in the export."""

    key: str
    parent_key: str | None
    author: str
    email: str | None
    created_at: dt.datetime
    text: str
    status: str  # approved, pending, spam or trash


@dataclass
class FeedEntry:
    """One post of the source, in the source's own terms; `problem` names what makes it unusable."""

    key: str
    title: str | None
    link: str | None
    slug_hint: str | None = None
    status: str = "publish"
    published: dt.date | None = None
    updated: dt.date | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    body_html: str = ""
    cover: SourceImage | None = None
    old_urls: list[str] = field(default_factory=list)
    comments: list[SourceComment] = field(default_factory=list)
    problem: str | None = None


def check_xml(raw: bytes):
    """The parsed document, or SourceError for anything that is not plain, well-formed XML."""
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError(f"source: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    try:
        return SafeET.fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError("source: declares XML entities or external references, which are refused "
                          f"(entity expansion and external entities can read files or exhaust memory): {exc}") from None
    except SafeET.ParseError as exc:
        raise SourceError(f"source: is not well-formed XML ({exc})") from None


def parse_source(raw: bytes) -> tuple[str, list[FeedEntry]]:
    """("rss" | "atom" | "wordpress", the entries), or SourceError."""
    root = check_xml(raw)
    if any(uri.startswith("http://wordpress.org/export/") for uri in _namespaces(root)):
        return "wordpress", _wordpress_entries(root)
    parsed = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.version:
        raise SourceError("source: is XML but neither an RSS nor an Atom feed nor a WordPress export")
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    return kind, [_feed_entry(e, kind) for e in parsed.entries]


def _namespaces(root) -> set[str]:
    found = set()
    for element in root.iter():
        if element.tag.startswith("{"):
            found.add(element.tag[1:].split("}", 1)[0])
    return found


def _date_of(struct: time.struct_time | None) -> dt.date | None:
    return dt.datetime.fromtimestamp(calendar.timegm(struct), dt.UTC).date() if struct else None


def _feed_entry(entry, kind: str) -> FeedEntry:
    link = entry.get("link")
    key = entry.get("id") or link or entry.get("title") or ""
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else ""
    summary = entry.get("summary") if body else None
    body = body or entry.get("summary", "")
    result = FeedEntry(key=key, title=(entry.get("title") or "").strip() or None, link=link,
                       author=entry.get("author"), tags=[t.get("term", "") for t in entry.get("tags", [])
                                                        if t.get("term")],
                       summary=summary, body_html=body)
    # dict.get: feedparser's own get() answers "updated" with "published" when there is none (deprecated).
    result.published = _date_of(dict.get(entry, "published_parsed"))
    result.updated = _date_of(dict.get(entry, "updated_parsed"))
    if dict.get(entry, "published") and result.published is None:
        result.problem = f"published date {dict.get(entry, 'published')!r} cannot be read"
    elif result.published is None:
        result.published = result.updated
    if dict.get(entry, "updated") and result.updated is None and kind == "atom":
        result.problem = f"updated date {dict.get(entry, 'updated')!r} cannot be read"
    if result.updated == result.published:
        result.updated = None
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("href") and (enclosure.get("type") or "image/").startswith("image/"):
            result.cover = SourceImage(enclosure["href"])
            break
    for media in entry.get("media_content", []):
        if result.cover is None and media.get("url") and media.get("medium", "image") == "image":
            result.cover = SourceImage(media["url"])
    if result.cover and entry.get("media_description"):
        result.cover.alt = entry["media_description"]
    result.old_urls = [u for u in {link, entry.get("id")} if u and urlsplit(u).scheme in ("http", "https")]
    return result


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str) -> str:
    """The text of the first child with this local name (any namespace), or ""."""
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() if name != "encoded" else (child.text or "")
    return ""


def _wp_datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _wordpress_entries(root) -> list[FeedEntry]:
    channel = root.find("channel")
    if channel is None:
        raise SourceError("source: a WordPress export without a <channel>")
    items = channel.findall("item")
    attachments = {}
    for item in items:
        if _child(item, "post_type") == "attachment":
            alt = next((_child(m, "meta_value") for m in item if _local(m.tag) == "postmeta"
                        and _child(m, "meta_key") == "_wp_attachment_image_alt"), "") or None
            attachments[_child(item, "post_id")] = SourceImage(_child(item, "attachment_url"), alt)
    entries = []
    for item in items:
        if _child(item, "post_type") != "post":
            continue
        link, guid = _child(item, "link"), _child(item, "guid")
        entry = FeedEntry(key=guid or link or _child(item, "post_id"), title=_child(item, "title") or None,
                          link=link or None, slug_hint=_child(item, "post_name") or None,
                          status=_child(item, "status") or "publish",
                          author=_child(item, "creator") or None)
        content = next((c.text or "" for c in item if c.tag == _CONTENT), "")
        entry.body_html = content
        excerpt = next((c.text or "" for c in item if _local(c.tag) == "encoded" and c.tag != _CONTENT), "")
        entry.summary = excerpt.strip() or None
        when = _wp_datetime(_child(item, "post_date_gmt")) or _wp_datetime(_child(item, "post_date"))
        if when is None and entry.status == "publish":
            entry.problem = f"post_date {_child(item, 'post_date')!r} cannot be read"
        entry.published = when.date() if when else None
        modified = _wp_datetime(_child(item, "post_modified_gmt")) or _wp_datetime(_child(item, "post_modified"))
        entry.updated = modified.date() if modified and when and modified.date() != when.date() else None
        entry.tags = [(c.text or "").strip() for c in item if _local(c.tag) == "category"
                      and c.get("domain") in ("category", "post_tag") and (c.text or "").strip()]
        thumbnail = next((_child(m, "meta_value") for m in item if _local(m.tag) == "postmeta"
                          and _child(m, "meta_key") == "_thumbnail_id"), None)
        entry.cover = attachments.get(thumbnail) if thumbnail else None
        entry.old_urls = [u for u in {link, guid} if u and urlsplit(u).scheme in ("http", "https")]
        entry.comments = [_wp_comment(c) for c in item if _local(c.tag) == "comment"
                          and _child(c, "comment_type") in ("", "comment")]
        entries.append(entry)
    return entries


_WP_STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}


def _wp_comment(element) -> SourceComment:
    created = (_wp_datetime(_child(element, "comment_date_gmt")) or _wp_datetime(_child(element, "comment_date"))
               or dt.datetime(1970, 1, 1))
    parent = _child(element, "comment_parent")
    return SourceComment(
        key=_child(element, "comment_id"), parent_key=parent if parent not in ("", "0") else None,
        author=_child(element, "comment_author") or "Reader", email=_child(element, "comment_author_email") or None,
        created_at=created, text=_child(element, "comment_content"),
        status=_WP_STATUS.get(_child(element, "comment_approved"), "pending"),
    )


def path_of(url: str, base: str | None = None) -> str:
    """The path (and query) an old URL asked for: /2023/11/19/some-post/ or /?p=123."""
    parts = urlsplit(urljoin(base or "", url))
    # Decoded, as a request's path is (/post/%D7%A9 is asked for as /post/ש); the query stays as sent.
    return (unquote(parts.path) or "/") + (f"?{parts.query}" if parts.query else "")
