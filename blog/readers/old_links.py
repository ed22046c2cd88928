"""Old links of imported articles (WordPress's /2023/11/19/some-post/, /?p=123, a feed's own link):
a 301 to the article's /post/<slug>. Unknown paths keep the styled 404."""
from __future__ import annotations

from flask import redirect, request, url_for

from blog.core.errors import render_error
from blog.core.urls import has_control_characters
from blog.core.models import Article, OldLink
from blog.extensions import db


def old_link_target(path: str, query: str = "") -> str | None:
    """The slug an old path (with its query, for /?p=123) now lives at, or None."""
    candidates = [f"{path}?{query}"] if query else []
    candidates += [path, path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"]
    return db.session.execute(
        db.select(Article.slug).join(OldLink, OldLink.article_id == Article.id).where(OldLink.path.in_(candidates))
        .limit(1)
    ).scalar_one_or_none()


def redirect_old_link():
    """For the index view: None, or the 301 an old /?p=123 link gets."""
    slug = old_link_target(request.path, request.query_string.decode("latin-1"))
    return redirect(url_for("reader.article", slug=slug), code=301) if slug else None


def not_found(error):
    """A 404 that was an imported article's old address answers 301 to its new one."""
    if request.method in ("GET", "HEAD") and len(request.path) <= 500 and not has_control_characters(request.path):
        slug = old_link_target(request.path, request.query_string.decode("latin-1"))
        if slug:
            return redirect(url_for("reader.article", slug=slug), code=301)
    return render_error(error)
