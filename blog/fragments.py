"""A per-worker cache of rendered page fragments, keyed by versions read from the database.

The key holds the version the current request read (for comments: Article.comments_version,
bumped in the transaction of every change), so a worker never serves a fragment older than the
database, whichever worker or host made the change. Old versions simply age out."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class FragmentCache:
    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        html = render()
        with self._lock:
            self._entries[key] = html
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


comment_blocks = FragmentCache()
# Whole article pages for anonymous readers, keyed by the article's source and comments versions.
page_cache = FragmentCache(max_entries=256)
