"""Moderation rules applied when a comment arrives: links, block and watch lists, personal information."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from flask import current_app
from blog.core.i18n import lazy_gettext as _l

from blog.core.lookalikes import LOOKS_LIKE_STAFF, looks_like_staff
from blog.core.personal_data import find_personal_information
from blog.core.models import utc_today

MANY_LINKS = "many links"
BLOCKED = "blocked word"
WATCHED = "watched word"
PERSONAL = "personal information"
URGENT = "urgent"
# Flags are stored in English; pages and mails show them in the site's language. A flag not listed
# here is shown as stored.
FLAG_LABELS = {
    URGENT: _l("urgent"), PERSONAL: _l("personal information"), MANY_LINKS: _l("many links"),
    BLOCKED: _l("blocked word"), WATCHED: _l("watched word"), LOOKS_LIKE_STAFF: _l("looks like staff"),
    "honeypot": _l("honeypot"),
}


def flag_label(flag: str) -> str:
    """A stored flag as people read it (the queue's template filter, the moderators' mail)."""
    return str(FLAG_LABELS.get(flag, flag))
# LOOKS_LIKE_STAFF ("looks like staff") comes from blog.core.lookalikes.
# What a reader whose comment is urgent sees at once, unless CRISIS_MESSAGE is configured.
DEFAULT_CRISIS_MESSAGE = _l("If you are thinking about harming yourself or are in danger, call your local emergency "
                            "number now. In the US, call or text 988. Our staff read comments during office hours, "
                            "not around the clock.")


@dataclass
class Verdict:
    status: str  # "pending", "approved" or "spam"
    flags: list[str] = field(default_factory=list)


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def mentions(text: str, phrases) -> bool:
    """Whether any phrase occurs as whole words, ignoring case."""
    return any(_phrase_pattern(p).search(text) for p in phrases if p and p.strip())


def has_personal_information(text: str, region: str = "US", today: dt.date | None = None) -> bool:
    return bool(find_personal_information(text, region, today or utc_today()))


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, punctuation gone: "Self-harm..." -> "self harm"."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@functools.lru_cache(maxsize=8)
def _phrases_as_words(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Each phrase as " its words ", worked out once per list (a list is configured once)."""
    return tuple(f" {words} " for words in map(_words, phrases) if words)


def is_crisis(text: str, phrases) -> bool:
    """Whether any crisis phrase occurs as whole words, any case, tolerant of punctuation."""
    words = f" {_words(text)} "
    return any(phrase in words for phrase in _phrases_as_words(tuple(phrases)))


def crisis_message() -> str:
    """The crisis message for this site: CRISIS_MESSAGE as configured, else the default in the site's language."""
    return current_app.config.get("CRISIS_MESSAGE") or str(DEFAULT_CRISIS_MESSAGE)


def as_list(value) -> list[str]:
    """A config value given as a list or as one comma-separated string."""
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def evaluate(name: str, body_raw: str, link_count: int, config, returning_commenter: bool,
             moderator_names=()) -> Verdict:
    """The status and flags a new comment gets from the configured rules."""
    flags: list[str] = []
    if looks_like_staff(name, config.get("SITE_NAME") or "", moderator_names):
        flags.append(LOOKS_LIKE_STAFF)
    spam = False
    max_links = int(config.get("MODERATION_MAX_LINKS", 2))
    if link_count > max_links:
        flags.append(MANY_LINKS)
        spam = spam or link_count > 2 * max_links
    text = f"{name}\n{body_raw}"
    if mentions(text, as_list(config.get("MODERATION_BLOCKLIST"))):
        flags.append(BLOCKED)
        spam = True
    if mentions(text, as_list(config.get("MODERATION_WATCHLIST"))):
        flags.append(WATCHED)
    if has_personal_information(f"{name}\n{body_raw}", config.get("PHONE_REGION") or "US"):
        flags.append(PERSONAL)
    if is_crisis(f"{name}\n{body_raw}", as_list(config.get("CRISIS_PHRASES"))):
        flags.insert(0, URGENT)
    if spam and URGENT not in flags:  # a reader who may be in danger is read by a person, whatever else
        return Verdict("spam", flags)
    if not flags and returning_commenter and config.get("MODERATION_TRUST_RETURNING"):
        return Verdict("approved", flags)
    return Verdict("pending", flags)
