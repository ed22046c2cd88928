"""The anonymous reader's article page and first index page, answered before Flask when rendered.

Most article requests come from readers with no cookie and no query string, who all get the same
page (with the view count and the form token filled in). This WSGI middleware answers those
directly from the page cache, the way a CMS page cache answers before the CMS loads (WordPress's
advanced-cache.php), but the view is still counted, by the same open_article transaction, and
the page is the same cached page with the same headers Flask would send (tests compare them).
Flask's request handling, session and extension hooks were a third of the page's cost (bench/run).

Everything else goes to Flask untouched: other paths and methods, a session cookie (a moderator,
a reader with a pending comment or a message), a query string (a reply form), a slug that is not
plain ASCII, an unknown article (Flask renders the 404). When the page is not cached yet, or
filling it fails, the counted view is handed to the Flask view with the request (OPENED_KEY),
so it is rendered there and never counted twice. If counting itself fails (its transaction rolled
back, nothing stored), Flask handles the request from the start and answers with its error page.
The index's first page is answered the same way, with the ETag and Date headers Flask's
conditional response adds; a request with If-None-Match goes to Flask, which may answer 304.
It sits innermost, inside the request log, the security headers and ProxyFix, so the page gets
those and the client's address is the proxy-fixed one. ARTICLE_FAST_PATH = False turns it off."""
from __future__ import annotations

import logging
import re

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from blog.core.articles import index_page_state
from blog.readers.pageviews import open_article
from blog.perf.shared_pages import OPENED_KEY, article_headers, everyones_index, everyones_page, index_headers
from blog.readers.visitors import has_no_session

log = logging.getLogger(__name__)
_ARTICLE_PATH = re.compile(r"/post/([A-Za-z0-9._~-]+)\Z")


class CachedArticlePages:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING")
                or not has_no_session(environ, self.app.config["SESSION_COOKIE_NAME"]) or not self.app.config["ARTICLE_FAST_PATH"]
                or not self._host_is_trusted(environ)):
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path == "/" and "HTTP_IF_NONE_MATCH" not in environ:
            return self._index(environ, start_response)
        match = _ARTICLE_PATH.match(path)
        if match is None:
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            try:
                opened = open_article(match.group(1), (environ.get("REMOTE_ADDR") or "",
                                                       environ.get("HTTP_USER_AGENT", "")),
                                      window_minutes=self.app.config["VIEW_DEDUPE_MINUTES"])
            except Exception:  # nothing was counted: Flask tries again and answers with its error page
                log.warning("fast path could not open the article; Flask answers", exc_info=True)
                return self.wsgi_app(environ, start_response)
            if opened is None:
                return self.wsgi_app(environ, start_response)  # no such article: Flask's 404 page
            try:
                body = everyones_page(opened[0], render=None)
            except Exception:
                log.warning("fast path could not fill the page; Flask renders it", exc_info=True)
                body = None
        if body is None:
            environ[OPENED_KEY] = opened
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", article_headers(opened[0], body))
        return [body]

    def _index(self, environ, start_response):
        with self.app.app_context():
            try:
                per_page = self.app.config["ARTICLES_PER_PAGE"]
                body = everyones_index(1, per_page, *index_page_state(1, per_page), render=None)
            except Exception:  # Flask answers, with its error page if it fails too
                log.warning("fast path could not read the index; Flask answers", exc_info=True)
                body = None
        if body is None:
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", index_headers(body))
        return [body]

    def _host_is_trusted(self, environ) -> bool:
        """Flask's own host rule (TRUSTED_HOSTS through werkzeug's get_host): a request it would refuse
        goes to Flask, which answers 400. The pages hold nothing from the host either way (blog.core.urls)."""
        try:
            get_host(environ, self.app.config["TRUSTED_HOSTS"])
        except SecurityError:
            return False
        return True



def init_app(app: Flask) -> None:
    """Install innermost: call before the other middlewares wrap app.wsgi_app."""
    app.wsgi_app = CachedArticlePages(app, app.wsgi_app)
