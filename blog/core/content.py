"""Article source files: Markdown with YAML front matter -> validated article fields (pure functions)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml

from blog.core.sanitize import clean_article_html

WORDS_PER_MINUTE = 200
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_SLUG_OK = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IMAGE_NAME_OK = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_\-./]*$")


class ArticleError(ValueError):
    """A source file that cannot be imported; says which field is wrong."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass
class ArticleSource:
    slug: str
    title: str
    published: dt.date
    updated: dt.date | None
    author: str | None
    image: str | None
    image_alt: str | None
    summary: str
    tags: list[str]
    comments_open: bool
    body_markdown: str
    body_html: str
    reading_minutes: int
    source_hash: str
    fields_given: set[str] = field(default_factory=set)
    # A medical review: who ("Dr. Jane Doe, MD") and when; both or neither.
    reviewed_by: str | None = None
    reviewed: dt.date | None = None
    # The article's own language (a BCP 47 tag), when it differs from the site's: set as lang on it.
    lang: str | None = None


def slugify(title: str) -> str:
    """'Exploring Ketamine as a Promising Migraine Treatment' -> 'exploring-ketamine-as-a-...'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:200]


def render_markdown(text: str, top_heading: int = 1) -> str:
    """Markdown -> sanitized HTML. Articles are trusted, but raw <script> still never passes.
    top_heading: the level a "#" heading becomes (2 on a page whose <h1> is the page's own title)."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists", "toc"], output_format="html",
                             extension_configs={"toc": {"baselevel": top_heading}})
    return clean_article_html(html)


def reading_minutes(text: str) -> int:
    return max(1, round(len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE))


def first_paragraph(text: str) -> str:
    """The first prose paragraph of the Markdown body, as plain text, for summaries."""
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if block and not block.startswith(("#", "!", "-", "*", ">", "|", "```")) and not re.match(r"\d+\.", block):
            plain = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", block)
            return " ".join(plain.split())
    return ""


def _date(meta: dict, name: str, required: bool) -> dt.date | None:
    value = meta.get(name)
    if value is None or value == "":
        if required:
            raise ArticleError(name, "is required (a date like 2023-11-19)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArticleError(name, f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _text(meta: dict, name: str, required: bool = False, max_len: int = 300) -> str | None:
    value = meta.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ArticleError(name, "is required")
        return None
    if not isinstance(value, (str, int, float)):
        raise ArticleError(name, "must be text")
    value = " ".join(str(value).split())
    if len(value) > max_len:
        raise ArticleError(name, f"is longer than {max_len} characters")
    return value


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _language(meta: dict) -> str | None:
    """Front matter `lang`: a BCP 47 tag (en, de, pt-BR), so screen readers pronounce the article right."""
    value = _text(meta, "lang", max_len=35)
    if value is None:
        return None
    if not _LANGUAGE_TAG.fullmatch(value):
        raise ArticleError("lang", f"{value!r} is not a language tag (like en, de or pt-BR)")
    primary, *rest = value.split("-")
    return "-".join([primary.lower(), *[part.upper() if len(part) == 2 else part for part in rest]])


def _image(meta: dict, static_folder: Path) -> str | None:
    image = _text(meta, "image", max_len=500)
    if image is None:
        return None
    if image.startswith("https://"):
        return image
    if image.startswith(("http://", "//")) or not _IMAGE_NAME_OK.match(image) or ".." in image:
        raise ArticleError("image", "must be a file name under static/ or an https:// URL")
    if not (static_folder / image).is_file():
        raise ArticleError("image", f"no file static/{image}")
    return image


def parse_article(raw: bytes, static_folder: Path) -> ArticleSource:
    """Validate one source file's bytes and return the article it describes."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleError("file", "is not valid UTF-8") from None
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ArticleError("front matter", "missing: the file must start with a '---' YAML block")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ArticleError("front matter", f"is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter", "must be a YAML mapping of fields")
    body = match.group(2).strip("\n")

    title = _text(meta, "title", required=True)
    slug = _text(meta, "slug", max_len=200) or slugify(title)
    if not _SLUG_OK.match(slug):
        raise ArticleError("slug", f"{slug!r} may hold only lower-case letters, digits and single hyphens")
    published = _date(meta, "published", required=True)
    updated = _date(meta, "updated", required=False)
    image = _image(meta, static_folder)
    image_alt = _text(meta, "image_alt", max_len=500)
    if image and image_alt is None:
        if meta.get("image_alt") != "":  # written as "" on purpose: imported without one (import-feed lists it)
            raise ArticleError("image_alt", "is required when an image is given (describe it for screen readers)")
        image_alt = ""
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        raise ArticleError("tags", "must be a list of words")
    tags = [" ".join(str(t).replace(",", " ").split()) for t in tags]
    comments = str(meta.get("comments", "open")).strip().lower()
    if comments not in ("open", "closed"):
        raise ArticleError("comments", "must be 'open' or 'closed'")
    if not body.strip():
        raise ArticleError("body", "is empty")
    reviewed_by = _text(meta, "reviewed_by", max_len=200)
    reviewed = _date(meta, "reviewed", required=reviewed_by is not None)
    if reviewed is not None and reviewed_by is None:
        raise ArticleError("reviewed_by", "is required with reviewed (who reviewed the article, e.g. Dr. Jane Doe, MD)")

    return ArticleSource(
        slug=slug,
        title=title,
        published=published,
        updated=updated,
        author=_text(meta, "author", max_len=200),
        reviewed_by=reviewed_by,
        reviewed=reviewed,
        lang=_language(meta),
        image=image,
        image_alt=image_alt,
        summary=_text(meta, "summary", max_len=1000) or first_paragraph(body)[:1000],
        tags=[t for t in tags if t],
        comments_open=comments == "open",
        body_markdown=body,
        body_html=render_markdown(body),
        reading_minutes=reading_minutes(body),
        source_hash=hashlib.sha256(raw).hexdigest(),
        fields_given=set(meta),
    )
