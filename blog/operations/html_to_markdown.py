"""An imported post's HTML -> Markdown, as if it had been written by hand: builder noise removed first
(scripts, styles, inline styles, empty spans, data-* wrappers, tracking pixels), then markdownify
(headings as `##`, numbered lists with their bold lead-ins, emphasis, links, quotes, images)."""
from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

_DROPPED = ("script", "style", "noscript", "iframe", "object", "embed", "form", "svg", "button", "input")
_KEPT_ATTRIBUTES = {"a": ("href", "title"), "img": ("src", "alt")}
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_tracking_pixel(img) -> bool:
    sizes = [img.get("width"), img.get("height")]
    return any(s is not None and str(s).strip().rstrip("px") in ("0", "1") for s in sizes) or not img.get("src")


def clean_html(html: str) -> BeautifulSoup:
    """The post's HTML without what only the old builder needed."""
    soup = BeautifulSoup(html or "", "html.parser")
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    for img in soup.find_all("img"):
        if _is_tracking_pixel(img):
            img.decompose()
    for tag in soup.find_all(True):
        keep = _KEPT_ATTRIBUTES.get(tag.name, ())
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in keep}
        if tag.name in ("span", "div", "section", "article", "font", "figure", "picture", "center"):
            tag.unwrap()
    return soup


def images_in(html: str) -> list[tuple[str, str | None]]:
    """(src, alt) of every image the cleaned post shows, in order."""
    return [(img["src"], img.get("alt")) for img in clean_html(html).find_all("img")]


class _Converter(MarkdownConverter):
    def __init__(self, image_url: Callable[[str], str | None], **options):
        super().__init__(**options)
        self.image_url = image_url

    def convert_img(self, el, text, parent_tags):
        src = self.image_url(el.get("src", ""))
        if not src:
            return ""
        alt = " ".join((el.get("alt") or "").split()).replace("]", ")").replace("[", "(")
        return f"![{alt}]({src})"


def to_markdown(html: str, image_url: Callable[[str], str | None] = lambda src: src) -> str:
    """Markdown for the post's body; `image_url` maps each image's source URL to the URL to show
    (a downloaded copy), or to None to leave the image out."""
    soup = clean_html(html)
    markdown = _Converter(image_url, heading_style="ATX", bullets="-", escape_underscores=False).convert_soup(soup)
    return _BLANK_LINES.sub("\n\n", markdown).strip() + "\n"
