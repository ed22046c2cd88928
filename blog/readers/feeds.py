"""Blueprint for machines: the Atom feeds (the newest articles; one article's comments), the sitemap
and robots.txt."""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import aliased

from blog.core.articles import get_published_article, published_articles_query
from blog.core.models import Comment, CommentStatus
from blog.core.sanitize import strip_controls
from blog.extensions import db
from blog.core.urls import absolute_url, site_base

bp = Blueprint("feeds", __name__)
FEED_ENTRIES = 20
COMMENT_FEED_ENTRIES = 50
# Characters XML 1.0 forbids even escaped (its Char production): the sanitized HTML may hold them as
# references (&#12; is kept, and unescaped by striptags), and one of them makes the whole feed unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class FeedComment(NamedTuple):
    """What a comment feed shows of a comment: never the email, never HTML."""

    id: int
    name: str
    text: str
    created_at: dt.datetime


def _updated_at(article) -> dt.datetime:
    return dt.datetime.combine(article.updated or article.published, dt.time())


def _xml(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/feed.xml")
def feed():
    """Atom feed of the newest articles, full content."""
    articles = db.session.execute(published_articles_query().limit(FEED_ENTRIES)).scalars().all()
    updated = max((_updated_at(a) for a in articles), default=dt.datetime(2000, 1, 1))
    body = render_template("feed.xml", articles=articles, updated=updated, updated_at=_updated_at)
    return _xml(body, "application/atom+xml")


def _plain_text(text: str) -> str:
    """Text on one line without the characters XML cannot carry (the way striptags leaves text)."""
    return " ".join(_NOT_XML.sub("", strip_controls(text)).split())


def approved_comments(article_id: int) -> list[FeedComment]:
    """The article's newest approved comments (clinic replies too), newest first, as plain text. As on
    the page, a reply stays hidden while its parent is not approved. Only the shown columns are read."""
    parent = aliased(Comment)
    approved = CommentStatus.APPROVED.value
    rows = db.session.execute(
        db.select(Comment.id, Comment.author_name, Comment.body_html, Comment.created_at)
        .select_from(Comment)
        .outerjoin(parent, Comment.parent_id == parent.id)
        .where(Comment.article_id == article_id, Comment.status == approved,
               Comment.parent_id.is_(None) | (parent.status == approved))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENT_FEED_ENTRIES)
    )
    # body_html is sanitized already; striptags leaves its text, so no markup reaches the feed.
    return [FeedComment(comment_id, _plain_text(name), _plain_text(Markup(html).striptags()), created_at)
            for comment_id, name, html, created_at in rows]


@bp.get("/post/<slug>/comments.xml")
def article_comments(slug: str):
    """Atom feed of one published article's approved comments, read from the database on every request
    (a comment shows the moment it is approved); the ETag lets a feed reader ask cheaply."""
    article = get_published_article(slug)
    if article is None:
        abort(404)
    comments = approved_comments(article.id)
    updated = comments[0].created_at if comments else _updated_at(article)
    body = render_template("comments.xml", article=article, comments=comments, updated=updated)
    return _xml(body, "application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap():
    articles = db.session.execute(published_articles_query()).scalars().all()
    return _xml(render_template("sitemap.xml", articles=articles), "application/xml")


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for this path whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/robots.txt")
def robots():
    """Keep crawlers out of the staff pages; name the sitemap when the site's address is configured
    (the Sitemap line must be an absolute URL, and it never comes from the request)."""
    body = "User-agent: *\nDisallow: /moderation/\n"
    if site_base(current_app.config):
        body += f"\nSitemap: {absolute_url('feeds.sitemap')}\n"
    return Response(body, mimetype="text/plain")
