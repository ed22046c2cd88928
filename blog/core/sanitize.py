"""The HTML sanitizer: the only module that imports bleach.

Contract (pinned by tests/test_sanitize.py, so a later swap of bleach touches only this file):
- clean_comment(text) turns a reader's text into safe HTML: only COMMENT_TAGS survive, other
  markup is escaped as text; blank lines make paragraphs and single newlines make <br>;
  bare http(s) URLs become links; every link carries exactly rel="nofollow ugc noopener",
  no other attribute but href, and only an http, https or mailto href (else the link is
  unwrapped to its text).
- clean_html(html) applies the same policy to HTML that is already paragraphed; it is
  idempotent, and clean_html(clean_comment(t)) == clean_comment(t).
- clean_article_html(html) applies the wider policy for trusted, imported articles:
  headings, images, tables, but never scripts, styles, event handlers or unsafe URLs.
"""
from __future__ import annotations

from html import unescape
import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

from blog.core.text import BIDI_CONTROLS, has_visible_text

COMMENT_TAGS = frozenset(
    {"p", "br", "a", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li"}
)
COMMENT_ATTRIBUTES = {"a": ["href", "rel"]}
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MAX_PASSES = 4

ARTICLE_TAGS = COMMENT_TAGS | {
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "th", "td", "sup", "sub", "abbr", "dl", "dt", "dd", "div", "span",
}
ARTICLE_ATTRIBUTES = {
    "a": ["href", "title", "id"],
    "img": ["src", "alt", "title", "width", "height", "loading"],
    "h2": ["id"], "h3": ["id"], "h4": ["id"], "h5": ["id"], "h6": ["id"],
    "th": ["align", "scope"], "td": ["align"], "abbr": ["title"],
    "sup": ["id"], "li": ["id"], "div": ["class"], "span": ["class"],
}

# Only http(s) URLs are turned into links; bleach's default would also link ftp:, etc.
_URL_RE = build_url_re(protocols=["http", "https"])
_BLOCK_START = re.compile(r"^\s*<(p|pre|blockquote|ul|ol)[\s>]", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# C0 controls but tab and newline, DEL, the C1 range, and the bidi controls (embeddings, overrides,
# isolates and marks), which could make a comment reorder the text shown around it.
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")
# Characters that make text something other than plain text for an HTML parser.
_NOT_PLAIN_TEXT = re.compile(r"[<>&]")
_TAG = re.compile(r"(<[^<>]*>)")
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_NOT_IN_URLS = re.compile(r"[<>\"]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# <pre> blocks keep their blank lines: paragraphs are made only outside them.
_PRE_BLOCK = re.compile(r"(<pre[\s>].*?(?:</pre\s*>|$))", re.IGNORECASE | re.DOTALL)


def href_is_safe(href: str | None, allow_relative: bool = False) -> bool:
    """An absolute http, https or mailto URL (or, for articles, a same-site /path or #anchor).

    Decoded and with the characters browsers ignore removed ("java\tscript:"); never a URL
    holding raw quotes or angle brackets, which no real link has and which html5lib re-escapes
    differently on every pass."""
    decoded = unescape(href or "")
    if not decoded.strip() or _NOT_IN_URLS.search(decoded):
        return False
    squeezed = _URL_IGNORED.sub("", decoded)
    scheme = _SCHEME.match(squeezed)
    if scheme is None:
        return allow_relative and squeezed.startswith(("/", "#")) and not squeezed.startswith("//")
    return scheme.group(1).lower() in SAFE_SCHEMES


def _enforce_link_policy(attrs: dict, new: bool = False) -> dict | None:
    """bleach linkify callback: safe href or no link; exactly our rel; nothing else."""
    href = attrs.get((None, "href"))
    if not href_is_safe(href):
        return None  # unwrap: the text stays, the link goes
    text = attrs.get("_text", "")
    return {(None, "href"): href, (None, "rel"): LINK_REL, "_text": text}


def _cleaner(tags, attributes) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=tags,
        attributes=attributes,
        protocols=SAFE_SCHEMES,
        strip=False,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_enforce_link_policy],
                skip_tags={"pre", "code"},
                parse_email=False,
                url_re=_URL_RE,
            )
        ],
    )


_COMMENT_CLEANER = _cleaner(COMMENT_TAGS, COMMENT_ATTRIBUTES)


def _article_link_policy(attrs: dict, new: bool = False) -> dict | None:
    href = attrs.get((None, "href"))
    if not href_is_safe(href, allow_relative=True):
        return None
    if href.startswith(("#", "/")):  # our own pages and footnotes: no rel needed
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


_ARTICLE_CLEANER = bleach.Cleaner(
    tags=ARTICLE_TAGS,
    attributes=ARTICLE_ATTRIBUTES,
    protocols=SAFE_SCHEMES,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_article_link_policy], skip_tags={"pre", "code"},
                     parse_email=False, url_re=_URL_RE)],
)


def strip_controls(text: str) -> str:
    """Remove NUL, other control characters and bidi controls, keeping tab and newline; normalise newlines."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _line_breaks(block: str) -> str:
    """Newlines in text become <br>; newlines inside a tag (between attributes) stay as they are."""
    parts = _TAG.split(block)
    return "".join(p if i % 2 else p.replace("\n", "<br>\n") for i, p in enumerate(parts))


def paragraphs(text: str) -> str:
    """Plain text to paragraphs: blank lines separate <p>s, single newlines become <br>.

    <pre> blocks, and blocks that already start with a block-level tag, are left as they are."""
    out = []
    for i, segment in enumerate(_PRE_BLOCK.split(text)):
        if i % 2:  # a <pre> block, captured by the split
            out.append(segment)
            continue
        for block in _BLANK_LINE.split(segment):
            block = block.strip("\n")
            if not block.strip():
                continue
            if _BLOCK_START.match(block):
                out.append(block)
            else:
                out.append("<p>" + _line_breaks(block) + "</p>")
    return "\n".join(out)


def clean_html(html: str) -> str:
    """Apply the comment policy to HTML, to a fixed point, so that cleaning again changes nothing.

    One pass is not always stable: a link unwrapped for an unsafe href leaves its text, and a URL in
    that text is only linkified by the next pass. The second pass is the check; a third is rare.
    When a pass changes nothing, its output is its input, so that is a fixed point already."""
    cleaned = _COMMENT_CLEANER.clean(html)
    if cleaned == html:
        return cleaned
    for _ in range(MAX_PASSES - 1):
        again = _COMMENT_CLEANER.clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def clean_comment(text: str) -> str:
    """A reader's raw comment text -> the safe HTML we store beside it.

    Most comments are plain text: no markup, no character reference, nothing that could become a
    link. For those the sanitizer's parse and serialization give back exactly the paragraphs made
    here (a property test checks it), so they skip it: bleach was a tenth of a comment POST."""
    text = strip_controls(text)
    if _NOT_PLAIN_TEXT.search(text) is None and _URL_RE.search(text) is None:
        return paragraphs(text)
    return clean_html(paragraphs(text))


def shows_something(html: str) -> bool:
    """Whether sanitized HTML has any visible text: `<p></p><br>`, `<b></b>`, an unwrapped empty
    link or a paragraph of zero-width characters does not."""
    return has_visible_text(unescape(_TAG.sub("", html)))


def comment_shows_something(text: str) -> bool:
    """Whether a reader's raw comment would show any visible text once cleaned. Plain text is
    checked as it is (no sanitizer run); anything with markup is cleaned first."""
    text = strip_controls(text)
    if _NOT_PLAIN_TEXT.search(text) is None:
        return has_visible_text(text)
    return shows_something(clean_comment(text))


def clean_article_html(html: str) -> str:
    """Rendered Markdown of an imported article -> HTML safe to serve."""
    return _ARTICLE_CLEANER.clean(html)
