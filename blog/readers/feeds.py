"""Blueprint for machines: the Atom feed, the sitemap and robots.txt."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from blog.core.articles import published_articles_query
from blog.extensions import db
from blog.core.urls import absolute_url, site_base

bp = Blueprint("feeds", __name__)
FEED_ENTRIES = 20


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
