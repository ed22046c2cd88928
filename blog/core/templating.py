"""Jinja filters and globals shared by every template."""
import datetime as dt
import re

from markupsafe import Markup, escape

from blog.core.urls import absolute_url, feed_id


def human_date(value: dt.date | dt.datetime | None) -> str:
    """'Nov 19, 2023', the way the clinic's old site wrote dates."""
    if value is None:
        return ""
    return f"{value:%b} {value.day}, {value.year}"


def human_datetime(value: dt.datetime) -> str:
    return f"{human_date(value)} at {value:%H:%M} UTC"


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """'1 view', '4 views', '1,234 comments'."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {word}"


_PHONE_IN_TEXT = re.compile(r"(?<![\w+])(\+?\d[\d\s().-]{1,18}\d)(?![\w])")


def tel_links(text: str) -> Markup:
    """Text with each phone number in it ("988", "+44 116 123") as a tel: link, everything else escaped."""
    parts = []
    last = 0
    for match in _PHONE_IN_TEXT.finditer(text):
        number = match.group(1)
        parts.append(escape(text[last:match.start(1)]))
        digits = re.sub(r"[^\d+]", "", number)
        parts.append(Markup('<a href="tel:{}">{}</a>').format(digits, number))
        last = match.end(1)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


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
    app.add_template_filter(human_date)
    app.add_template_filter(human_datetime)
    app.add_template_filter(count_noun)
    app.add_template_filter(iso)
    app.add_template_filter(tel_links)
    app.add_template_filter(zip)
