"""Moving another blog in (import-feed): each entry of an RSS, Atom or WordPress export becomes an
article exactly as if written as Markdown (the Markdown is built, then parsed and rendered like any
article file), with its images fetched here, its old links kept as redirects and, from WordPress,
its comments. One transaction per entry: a failed entry writes nothing of itself, the others go on."""
from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup

from blog.core.articles import copy_fields
from blog.core.content import ArticleError, parse_article, slugify
from blog.core.models import Article, OldLink
from blog.extensions import db
from blog.operations import image_fetch
from blog.operations.feed_comments import import_comments
from blog.operations.feed_sources import FeedEntry, SourceError, parse_source, path_of
from blog.operations.html_to_markdown import images_in, to_markdown

_WIX_POST = re.compile(r"^/post/([a-z0-9]+(?:-[a-z0-9]+)*)/?$")


class EntryFailed(ArticleError):
    """An entry cannot be imported: its field and a message for the operator (as for an article file)."""


@dataclass
class EntryOutcome:
    title: str
    outcome: str  # created, updated, unchanged, skipped, failed; "would ..." in a dry run
    slug: str | None = None
    message: str = ""
    redirects: list[str] = field(default_factory=list)
    images_fetched: int = 0
    images_left_out: list[str] = field(default_factory=list)
    needs_alt: bool = False
    comments_added: int = 0


@dataclass
class FeedReport:
    kind: str
    entries: list[EntryOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for e in self.entries if e.outcome == outcome)

    @property
    def failed(self) -> bool:
        return any(e.outcome == "failed" for e in self.entries)


def read_source(source: str) -> bytes:
    """The bytes of a file path or an http(s) URL, at most 50 MB; SourceError otherwise."""
    from blog.operations.feed_sources import MAX_SOURCE_BYTES

    try:
        scheme = urlsplit(source).scheme
    except ValueError:
        raise SourceError(f"source: {source!r} is neither a file nor a valid URL") from None
    if scheme in ("http", "https"):
        try:
            return image_fetch.download(source, max_bytes=MAX_SOURCE_BYTES, timeout=60)
        except image_fetch.ImageError as exc:
            raise SourceError(f"source: {exc}") from None
    path = Path(source)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise SourceError("source: larger than 50 MB")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"source: cannot be read ({exc.strerror})") from None


def import_feed(raw: bytes, static_folder: Path, images: str = "download", write_markdown: Path | None = None,
                dry_run: bool = False, replace: bool = False,
                on_entry: Callable[[int, int, EntryOutcome], None] | None = None) -> FeedReport:
    """Import every entry of the source; SourceError if the source as a whole cannot be read."""
    kind, entries = parse_source(raw)
    report = FeedReport(kind)
    for number, entry in enumerate(entries, 1):
        outcome = _import_entry(entry, kind, static_folder, images, write_markdown, dry_run, replace)
        report.entries.append(outcome)
        if on_entry:
            on_entry(number, len(entries), outcome)
    return report


def origin_of(key: str) -> str:
    """An entry's (or comment's) identity as stored: the source's own id, or a hash of a very long one."""
    return key if len(key) <= 400 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _slug_for(entry: FeedEntry) -> str:
    wix = _WIX_POST.match(urlsplit(entry.link or "").path)
    if wix:
        return wix.group(1)
    return entry.slug_hint or slugify(entry.title or "")


def _plain(html: str | None) -> str | None:
    text = " ".join(BeautifulSoup(html or "", "html.parser").get_text(" ").split())
    return text[:300].rsplit(" ", 1)[0] + "…" if len(text) > 300 else (text or None)


class _Images:
    """The entry's images: fetched (or left out), each source URL once; the files this entry created."""

    def __init__(self, entry: FeedEntry, static_folder: Path, mode: str):
        self.entry, self.static_folder, self.mode = entry, static_folder, mode
        self.local: dict[str, str | None] = {}
        self.created: list[Path] = []
        self.fetched, self.left_out = 0, []

    def get(self, url: str, role: str) -> str | None:
        """The image's path under static/ (images/imported/...), or None when images are skipped."""
        absolute = urljoin(self.entry.link or "", url)
        if absolute not in self.local:
            if self.mode != "download":
                self.left_out.append(absolute)
                self.local[absolute] = None
            else:
                try:
                    stored = image_fetch.store(image_fetch.download(absolute), self.static_folder, absolute)
                except image_fetch.ImageError as exc:
                    raise EntryFailed(role, str(exc)) from None
                self.fetched += 1
                if stored.created:
                    self.created.append(self.static_folder / stored.relative_path)
                self.local[absolute] = stored.relative_path
        return self.local[absolute]

    def forget_created(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)


def _markdown_file(entry: FeedEntry, slug: str, images: _Images) -> tuple[str, bool]:
    """The article as the Markdown file import-articles reads, and whether its image lacks alt text."""
    cover = images.get(entry.cover.url, "cover image") if entry.cover else None
    body_alts = {urljoin(entry.link or "", src): alt for src, alt in images_in(entry.body_html)}
    body = to_markdown(entry.body_html, lambda src: (lambda p: f"/static/{p}" if p else None)(
        images.get(src, "image in the body")))
    if not body.strip():
        raise EntryFailed("content", "is empty once the old site's markup is removed")
    alt = None
    if entry.cover:
        alt = entry.cover.alt or body_alts.get(urljoin(entry.link or "", entry.cover.url))
    front = {"title": entry.title, "slug": slug, "published": entry.published.isoformat()}
    if entry.updated:
        front["updated"] = entry.updated.isoformat()
    if entry.author:
        front["author"] = entry.author[:200]
    if cover:
        front["image"] = cover
        front["image_alt"] = " ".join((alt or "").split())
    summary = _plain(entry.summary)
    if summary:
        front["summary"] = summary
    if entry.tags:
        tags = list(dict.fromkeys(" ".join(t.replace(",", " ").split())[:60] for t in entry.tags))
        while len(",".join(tags)) > 500:  # what the article's tag column holds
            tags.pop()
        front["tags"] = tags
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body
    needs_alt = bool(cover and not front["image_alt"]) or any(not (a or "").strip() for a in body_alts.values())
    return text, needs_alt


def _import_entry(entry: FeedEntry, kind: str, static_folder: Path, mode: str, write_markdown: Path | None,
                  dry_run: bool, replace: bool) -> EntryOutcome:
    title = entry.title or entry.link or entry.key or "(an entry without a title)"
    if entry.status != "publish":
        return EntryOutcome(title, "skipped", message=f"a {entry.status} at the source, not published")
    images = _Images(entry, static_folder, "skip" if dry_run else mode)
    try:
        if entry.problem:
            raise EntryFailed("date", entry.problem)
        if not entry.title:
            raise EntryFailed("title", "missing")
        if not entry.link and kind != "wordpress":
            raise EntryFailed("link", "missing")
        if entry.published is None:
            raise EntryFailed("published", "missing")
        # The article this entry made before keeps its slug, even if the title it came from changed.
        mine = db.session.execute(db.select(Article).filter_by(origin=origin_of(entry.key))).scalars().first()
        slug = mine.slug if mine is not None else _slug_for(entry)
        existing = mine or db.session.execute(db.select(Article).filter_by(slug=slug)).scalar_one_or_none()
        redirects = sorted({p for p in (path_of(u) for u in entry.old_urls) if p != f"/post/{slug}" and len(p) <= 500})
        if existing is not None and existing.origin != origin_of(entry.key) and not replace:
            return EntryOutcome(title, "skipped", slug, "an article with this slug exists and did not come "
                                "from this source: nothing changed (--replace overwrites it)")
        if dry_run:
            verb = "would update" if existing is not None else "would create"
            return EntryOutcome(title, verb, slug, redirects=redirects,
                                images_left_out=[u for u in _image_urls(entry)])
        text, needs_alt = _markdown_file(entry, slug, images)
        try:
            source = parse_article(text.encode(), static_folder)
        except ArticleError as exc:
            raise EntryFailed(exc.field, exc.message) from None
        outcome = "unchanged"
        if existing is None or existing.source_hash != source.source_hash or existing.origin != origin_of(entry.key):
            outcome = "updated" if existing is not None else "created"
            article = existing or Article(slug=source.slug)
            if existing is None:
                db.session.add(article)
            copy_fields(source, article)
            article.origin = origin_of(entry.key)
            db.session.flush()
        else:
            article = existing
        for path in redirects:
            link = db.session.get(OldLink, path)
            if link is None:
                db.session.add(OldLink(path=path, article_id=article.id))
            elif link.article_id != article.id:
                link.article_id = article.id
        added = import_comments(entry, article, origin_of)
        db.session.commit()
    except EntryFailed as exc:
        db.session.rollback()
        images.forget_created()
        return EntryOutcome(title, "failed", message=str(exc))
    except Exception as exc:  # anything else about this entry (a value the database refuses): this entry only
        db.session.rollback()
        images.forget_created()
        first_line = (str(exc).splitlines() or [""])[0][:200]
        return EntryOutcome(title, "failed", message=f"entry: could not be stored ({type(exc).__name__}: {first_line})")
    if write_markdown is not None:
        _write_markdown(write_markdown, source.slug, text, static_folder, images)
    return EntryOutcome(title, outcome, source.slug, redirects=redirects, images_fetched=images.fetched,
                        images_left_out=images.left_out, needs_alt=needs_alt, comments_added=added)


def _image_urls(entry: FeedEntry) -> list[str]:
    urls = [entry.cover.url] if entry.cover else []
    return [urljoin(entry.link or "", u) for u in urls + [src for src, _ in images_in(entry.body_html)]]


def _write_markdown(folder: Path, slug: str, text: str, static_folder: Path, images: _Images) -> None:
    """The article as a file import-articles reads, with its images beside it (images/imported/...)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    for relative in filter(None, images.local.values()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(static_folder / relative, target)


def summary_lines(report: FeedReport) -> list[str]:
    """The end of the command's output: what happened, and what needs a person."""
    fetched = sum(e.images_fetched for e in report.entries)
    lines = [f"{report.count('created')} created, {report.count('updated')} updated, "
             f"{report.count('unchanged')} unchanged, {report.count('skipped')} skipped, "
             f"{report.count('failed')} failed; {fetched} images fetched."]
    dry = [e for e in report.entries if e.outcome.startswith("would")]
    if dry:
        lines.append(f"Dry run: {len(dry)} entries would be written; nothing was written.")
    need_alt = [e.slug for e in report.entries if e.needs_alt]
    if need_alt:
        lines.append("These articles have images without alt text (describe them for screen readers): "
                     + ", ".join(need_alt))
    left_out = sorted({u for e in report.entries if e.outcome != "failed" for u in e.images_left_out})
    if left_out and not dry:
        lines.append(f"Images left out ({len(left_out)}): " + ", ".join(left_out))
    return lines
