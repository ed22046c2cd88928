"""Cleaning short reader-supplied text (names, emails) before it is validated or stored."""
import re
import unicodedata

# Bidi embeddings, overrides and isolates, marks, zero-width characters, BOM, soft hyphen.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_name(value: str | None) -> str:
    """A display name as plain text on one line: no controls, bidi overrides or invisible characters."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub(" ", _INVISIBLE.sub("", value))
    return " ".join(value.split())


def clean_email(value: str | None) -> str:
    """An email field, trimmed; controls are left in so that the validator refuses them."""
    return (value or "").strip()
