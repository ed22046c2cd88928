"""Finding personal information in a comment before it is sent: phone numbers (any country, through the
maintained phonenumbers library, with PHONE_REGION as the default region), email addresses, dates of
birth, street addresses and long ID-like numbers (insurance or member numbers). Each finding names its
kind in plain words and the passage, so the reader can be told exactly what would become public."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from flask_babel import gettext as _
from blog.core.i18n import lazy_gettext as _l

# The kinds in plain words, in the site's language when shown (lazy: equal to their English text).
PHONE = _l("a phone number")
EMAIL = _l("an email address")
BIRTH_DATE = _l("a date of birth")
ADDRESS = _l("a street address")
LONG_NUMBER = _l("a long number (like an insurance or member number)")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A run of digits, spaces and phone punctuation holding at least 7 digits: +1 (555) 123-4567.
_PHONE_RUN = re.compile(r"(?<![\w/.-])\+?\(?\d[\d\s().-]{5,}\d(?![\w/-])")
_DATE_SHAPED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(19|20)\d\d\s*[-–]\s*(19|20)\d\d")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
# German, French and Spanish month names, written out ("12. März 1985", "3 mai 1990", "12 de marzo de 1985").
_OTHER_MONTHS = ("januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember|"
                 "janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
                 "decembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
                 "noviembre|diciembre")
_DATES = [
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?P<year>(19|20)\d{2})\b"),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?P<year>\d{2})\b"),  # "DOB 3/4/85": only ever after birth words
    re.compile(rf"\b\d{{1,2}}(?:\.|er)?\s+(?:de\s+)?(?:{_OTHER_MONTHS})\.?\s+(?:de\s+)?(?P<year>(19|20)\d{{2}})\b", re.I),
    re.compile(r"\b(?P<year>(19|20)\d{2})-\d{1,2}-\d{1,2}\b"),
    re.compile(rf"\b(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?P<year>(19|20)\d{{2}})\b", re.I),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*\.?,?\s+(?P<year>(19|20)\d{{2}})\b", re.I),
]
# A date is a date of birth when these words come just before it ("born on", "DOB:", "my birthday is").
_BIRTH_WORDS = re.compile(
    r"(?<!\w)(date of birth|d\.?o\.?b\.?|born|birthday|birth date|geboren|geb\.|geburtsdatum|geburtstag|"
    r"nacid[oa]|nac[ií]|nacimiento|cumpleaños|née?|naissance|anniversaire)(?!\w)[^.\n]{0,25}$", re.I)
# ... or just after it ("am 12. März 1985 geboren").
_BIRTH_WORDS_AFTER = re.compile(r"^[\s,]*(?:geboren|born)(?!\w)", re.I)
# Street words that are rarely anything else ("Way", "Place", "Close" and "Court" too often are).
_STREET_TYPES = "street|st|avenue|ave|road|rd|lane|ln|drive|boulevard|blvd|terrace|crescent|highway|hwy|parkway|pkwy"
_ADDRESSES = [
    re.compile(rf"\b\d{{1,5}}[a-zA-Z]?\s+(?:[A-Z][\w'-]*\s+){{1,3}}(?i:{_STREET_TYPES})\b"),
    re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee)\s+\d{1,4}[a-z]?\b"),
    re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*\s+(?:Stra(?:ß|ss)e|Str\.|Weg|Gasse|Platz|Allee)\s+\d{1,4}[a-z]?\b"),
    # French, number first: "12 rue de la Paix", "15 bis avenue des Champs-Élysées".
    re.compile(r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|cours)"
               r"\s+(?:(?:de|du|des|la|le|l')\s*)*[A-ZÀÂÉÈÊÎÔÛ][\w'-]*"),
    re.compile(r"\b(?i:calle|avenida|rue)\s+(?:(?:de|del|la|le|du|des)\s+)*[A-ZÁÉÍÓÚÑ][^\W\d_]*"
               r"(?:\s+[A-ZÁÉÍÓÚÑ][^\W\d_]*){0,2},?\s+\d{1,4}(?![\d\s-]*\d{3})\b"),
]
_LONG_NUMBER = re.compile(r"\b(?:[A-Z]{1,4}[-\s]?)?\d{8,}\b")
# A link's digits (an article's number, a study's PubMed id) are part of an address, not a person's.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.I)
_PHONE_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:wa\.me|api\.whatsapp\.com|t\.me)/", re.I)  # a link that is a number


@dataclass(frozen=True)
class Finding:
    kind: str     # in plain words: "a phone number" (one of the lazy strings above)
    passage: str  # as the reader wrote it: "555-123-4567"
    start: int
    end: int

    def __str__(self) -> str:
        return _("%(kind)s: %(passage)s", kind=self.kind, passage=self.passage)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


# Numbers that look like phone numbers to a matcher but are written as quantities or years:
# "1 000 000 people", "1,000,000", "in 1999 2000 2001".
_GROUPED_QUANTITY = re.compile(r"\d{1,3}(?:[ ,.]\d{3})+")
_YEARS = re.compile(r"(?:(?:19|20)\d\d[\s,/-]*)+")


def _looks_like_a_phone(raw: str, valid: bool = False) -> bool:
    """At least 7 digits, and not a date, years, a grouped quantity (unless a valid number there) or
    digits in ones ("version 1.2.3.4.5", "ISBN 978-3-16-148410-0": a phone number has one such group
    at most, its country code or a trunk 0)."""
    raw = raw.strip()
    groups = re.sub(r"^\+\d{1,3}|\(0\)", " ", raw)  # a country code and a written trunk "(0)" are no such group
    single_digit_groups = sum(len(group) == 1 for group in re.findall(r"\d+", groups))
    return (_digits(raw) >= 7 and not _DATE_SHAPED.fullmatch(raw) and not _YEARS.fullmatch(raw)
            and (valid or not _GROUPED_QUANTITY.fullmatch(raw)) and (valid or single_digit_groups < 2))


def _phones(text: str, region: str) -> list[tuple[int, int]]:
    """Phone numbers: what the matcher reads (a bare run of digits only when it is a valid number there:
    "10000000 steps" is not), and national formats written with spaces or punctuation."""
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, region or "US", leniency=phonenumbers.Leniency.POSSIBLE):
        valid = phonenumbers.is_valid_number(match.number)
        if (valid or not match.raw_string.isdigit()) and _looks_like_a_phone(match.raw_string, valid=valid):
            spans.append((match.start, match.end))
    for match in _PHONE_RUN.finditer(text):  # national formats the matcher reads only in part
        if not match.group().isdigit() and _looks_like_a_phone(match.group()):
            spans.append((match.start(), match.end()))
    return spans


def find_personal_information(text: str, region: str = "US", today: dt.date | None = None) -> list[Finding]:
    """Every passage of personal information in the text, in order, overlapping ones merged."""
    today = today or dt.datetime.now(dt.UTC).date()
    found: list[tuple[int, int, str]] = [(s, e, PHONE) for s, e in _phones(text, region)]
    found += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    for pattern in _DATES:
        for match in pattern.finditer(text):
            if (_BIRTH_WORDS.search(text[max(0, match.start() - 40):match.start()])
                    or _BIRTH_WORDS_AFTER.search(text[match.end():match.end() + 20])):
                found.append((match.start(), match.end(), BIRTH_DATE))
    for pattern in _ADDRESSES:
        found += [(m.start(), m.end(), ADDRESS) for m in pattern.finditer(text)]
    found += [(m.start(), m.end(), LONG_NUMBER) for m in _LONG_NUMBER.finditer(text)]
    links = [(m.start(), m.end()) for m in _URL.finditer(text) if not _PHONE_LINK.match(m.group())]
    found = [f for f in found if f[2] is EMAIL or not any(s <= f[0] and f[1] <= e for s, e in links)]
    # Longest first at each place; overlapping passages become one (so redaction leaves nothing of
    # either), named by the kind that starts first.
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    merged: list[list] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            continue
        merged.append([start, end, kind])
    findings = []
    for start, end, kind in merged:
        end = start + len(text[start:end].rstrip())
        start = end - len(text[start:end].lstrip())
        findings.append(Finding(kind, text[start:end], start, end))
    return findings


def redact(text: str, region: str = "US", today: dt.date | None = None) -> str:
    """The text with every passage of personal information replaced by "[removed]" (in the site's language:
    the text is published)."""
    removed = _("[removed]")
    out, last = [], 0
    for finding in find_personal_information(text, region, today):
        out.append(text[last:finding.start])
        out.append(removed)
        last = finding.end
    out.append(text[last:])
    return "".join(out)
