"""Cleaning short reader-supplied text (names, emails) and telling whether text shows anything at all."""
import re
import unicodedata

# Bidi embeddings, overrides, isolates and marks: they can reorder the text around them.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters that render as nothing (or as a blank) yet are letters or symbols to Unicode: Hangul
# fillers, the Braille blank, the combining grapheme joiner, Khmer inherent vowels, Mongolian
# selectors, and the tag characters.
FILLERS = "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\uffa0\U000e0000-\U000e007f"
# Everything stripped from a name: the above, zero-width characters, word joiners, BOM, soft hyphen.
_INVISIBLE = re.compile(f"[\u00ad{BIDI_CONTROLS}{FILLERS}\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff]")
_FILLER = re.compile(f"[{FILLERS}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Categories of characters that show something: letters, digits, punctuation, symbols.
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def clean_name(value: str | None) -> str:
    """A display name as plain text on one line: no controls, bidi controls, invisible or filler characters."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub(" ", _INVISIBLE.sub("", value))
    return " ".join(value.split())


def clean_email(value: str | None) -> str:
    """An email field, trimmed; controls are left in so that the validator refuses them."""
    return (value or "").strip()


def has_visible_text(text: str) -> bool:
    """Whether the text shows at least one letter, digit, punctuation mark or symbol: not only
    spaces, zero-width or format characters, Hangul fillers or Braille blanks."""
    return any(unicodedata.category(ch)[0] in _VISIBLE_CATEGORIES for ch in _FILLER.sub("", text))
