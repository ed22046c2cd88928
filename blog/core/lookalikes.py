"""Names that look like the clinic's own: Unicode TR39-style skeletons of reader names.

A reader may not pass as staff: a name that is, or is confusable with, the site's name, "clinic",
"moderator", "admin", "staff" or an active moderator's name ("Сlinic" with a Cyrillic С, fullwidth
"Ｃｌｉｎｉｃ", "аdmin") gets the "looks like staff" flag. Confusable characters come from Unicode's
confusables.txt as packaged by confusable-homoglyphs (a dev dependency): its groups are joined into
classes and every class is written by one prototype (ASCII first) into blog/data/confusables.json,
which `python -m blog.core.lookalikes` regenerates and a test keeps equal to the library's data. The
committed table is about 100 KB loaded; the library's own data is about 10 MB per worker."""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "confusables.json"
STAFF_WORDS = ("clinic", "moderator", "admin", "administrator", "staff")
LOOKS_LIKE_STAFF = "looks like staff"


@functools.cache
def _prototypes() -> dict[str, str]:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def skeleton(text: str) -> str:
    """Each character replaced by the prototype of its confusable class, after NFKC (fullwidth and
    mathematical letters become plain ones); spaces and punctuation runs become one space."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFKC", text))
    return " ".join(re.sub(r"[\W_]+", " ", mapped).split())


@functools.lru_cache(maxsize=1024)  # a pure function of its argument: the names of staff recur on every POST
def _keys(text: str) -> frozenset[str]:
    """Skeletons of the text in each case (TR39 skeletons keep case: "I" looks like "l", "i" does not)."""
    return frozenset(skeleton(variant).casefold() for variant in (text, text.lower(), text.upper(), text.title()))


@functools.lru_cache(maxsize=64)
def _word_pattern(site_name: str) -> re.Pattern:
    """The staff words and the site's name, as whole words of a skeleton."""
    keys = sorted({key for word in (*STAFF_WORDS, site_name) for key in _keys(word) if key}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)")


def looks_like_staff(name: str, site_name: str, moderator_names=()) -> bool:
    """Whether a reader's name is, or is confusable with, the site's name or a moderator's name, or
    holds one of the staff words (or the site's name) as words of its own."""
    name_keys = _keys(name)
    if any(exact and name_keys & _keys(exact) for exact in (site_name, *moderator_names)):
        return True
    pattern = _word_pattern(site_name)
    return any(pattern.search(key) for key in name_keys)


def build_table() -> dict[str, str]:
    """The prototype of every confusable character, from confusable-homoglyphs' data (union-find)."""
    from confusable_homoglyphs import confusables

    parent: dict[str, str] = {}

    def find(ch: str) -> str:
        while parent.setdefault(ch, ch) != ch:
            parent[ch] = parent[parent[ch]]
            ch = parent[ch]
        return ch

    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1:
            continue
        for glyph in homoglyphs:
            if len(glyph["c"]) == 1:
                a, b = find(char), find(glyph["c"])
                if a != b:
                    parent[max(a, b, key=_preference)] = min(a, b, key=_preference)
    return {ch: find(ch) for ch in sorted(parent) if find(ch) != ch}


def _preference(ch: str) -> tuple[bool, bool, int]:
    """Prototype order: ASCII letters and digits first, then other ASCII, then by code point."""
    return (not (ch.isascii() and ch.isalnum()), not ch.isascii(), ord(ch))


if __name__ == "__main__":
    TABLE.write_text(json.dumps(build_table(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                     encoding="utf-8")
    print(f"wrote {TABLE}")
