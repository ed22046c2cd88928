"""Jinja filters and globals shared by every template."""
import datetime as dt
import re

import phonenumbers
from flask import current_app
from markupsafe import Markup, escape
from phonenumbers import PhoneNumberFormat

from blog.core.i18n import html_lang
from blog.core.urls import absolute_url, feed_id


# 988, 112, 024, 3114 standing alone (a sentence may end after them; "9.5", "988 123" and "9-17" are
# not codes): the crisis lines of the shipped languages' countries are three or four digits; a year
# (1900-2099) is not one
_SHORT_CODE = re.compile(r"(?<![\w(.,+/-])(?!(?:19|20)\d\d(?!\d))\d{3,4}(?![\w)/-]|[.,]\d|\s\d)")
_LONG_RUN = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{4,18}\d(?!\w)")


def tel_links(text: str) -> Markup:
    """Text with each phone number in it as a tel: link (E.164 where the phonenumbers library reads it,
    with PHONE_REGION for numbers without a country code; short codes like 988 as they are), and
    everything else escaped. A crisis message must never dial the wrong number."""
    region = current_app.config.get("PHONE_REGION") or "US"
    spans: list[tuple[int, int, str]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        if phonenumbers.is_valid_number(match.number):  # else the digits as written (below), never a guess
            spans.append((match.start, match.end, phonenumbers.format_number(match.number, PhoneNumberFormat.E164)))
    for pattern in (_LONG_RUN, _SHORT_CODE):
        for match in pattern.finditer(text):
            digits = re.sub(r"[^\d+]", "", match.group())
            if (pattern is _SHORT_CODE or len(digits) >= 6) and not any(
                    s < match.end() and match.start() < e for s, e, _ in spans):
                spans.append((match.start(), match.end(), digits))
    parts, last = [], 0
    for start, end, number in sorted(spans):
        parts.append(escape(text[last:start]))
        parts.append(Markup('<a href="tel:{}">{}</a>').format(number, text[start:end]))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def own_lang(article) -> Markup:
    """' lang="en"' for the words of an article written in another language than the site's (its title,
    summary, image text, body), nothing otherwise: a screen reader switches voice only for those."""
    lang = getattr(article, "lang", None)
    return Markup(' lang="{}"').format(lang) if lang and lang != html_lang() else Markup("")


def iso(value: dt.date | dt.datetime) -> Markup:
    return Markup(value.isoformat())


def article_json_ld(article, url: str, image_url: str | None, site_name: str) -> dict:
    """schema.org for an article page, the article only, nothing about commenters: a BlogPosting, or
    a MedicalWebPage with reviewedBy and lastReviewed when a clinician reviewed it."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage" if article.reviewed_by else "BlogPosting",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.published.isoformat(),
        "dateModified": (article.updated or article.published).isoformat(),
        "mainEntityOfPage": url,
        "url": url,
        "publisher": {"@type": "Organization", "name": site_name},
        "keywords": article.tag_list,
        "inLanguage": getattr(article, "lang", None) or html_lang(),
    }
    if article.author:
        data["author"] = {"@type": "Person" if not article.author.lower().endswith("team") else "Organization",
                          "name": article.author}
    if image_url:
        data["image"] = image_url
    if article.reviewed_by:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewed_by}
        data["lastReviewed"] = article.reviewed.isoformat()
    return data


def init_app(app):
    app.add_template_global(absolute_url)
    app.add_template_global(feed_id)
    app.add_template_global(article_json_ld)
    app.add_template_global(own_lang)
    app.add_template_filter(iso)
    app.add_template_filter(tel_links)
    app.add_template_filter(zip)
