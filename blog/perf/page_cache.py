"""A per-worker cache of rendered page fragments, keyed by versions read from the database.

The key holds the version the current request read (for comments: Article.comments_version,
bumped in the transaction of every change), so a worker never serves a fragment older than the
database, whichever worker or host made the change. Old versions simply age out."""
from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

# Marks a hole in a cached page: random per process, so no article or comment can contain one.
_HOLE_PREFIX = f"hole-{secrets.token_hex(12)}-"
_HOLE = re.compile(re.escape(_HOLE_PREFIX) + r"([\w:.-]+);")


def hole(name: str) -> str:
    """A placeholder to render into a cached page, filled per request by HoledPage.fill."""
    return f"{_HOLE_PREFIX}{name};"


class HoledPage:
    """A rendered page kept as UTF-8 pieces around its holes: filling them is one join, with
    no re-encoding and no search through the page on each request."""

    __slots__ = ("_pieces",)

    def __init__(self, html: str):
        split = _HOLE.split(html)  # text, hole name, text, hole name, ..., text
        self._pieces = [piece.encode() if i % 2 == 0 else piece for i, piece in enumerate(split)]

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The page with every hole replaced by its (already HTML-safe) value."""
        pieces = self._pieces.copy()
        for i in range(1, len(pieces), 2):
            pieces[i] = values[pieces[i]].encode()
        return b"".join(pieces)


class FragmentCache:
    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The cached value, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_or_render(self, key: Hashable, render: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = render()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


comment_blocks = FragmentCache()
# Whole article pages for anonymous readers, keyed by the article's source and comments versions.
page_cache = FragmentCache(max_entries=256)
# Rendered moderation queue items, keyed by everything each one shows (blog.moderation.queue_rows).
queue_items = FragmentCache(max_entries=200)
# Whole queue pages (few: each key holds every row shown).
queue_pages = FragmentCache(max_entries=16)
