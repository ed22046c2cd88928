"""Request and response hardening: security headers on every response, form-only bodies, proxy trust,
versioned static files."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, abort, request
from blog.core.i18n import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.core.urls import site_prefix

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
))
HSTS = "max-age=31536000; includeSubDomains"
ONE_YEAR = 365 * 24 * 3600


SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]


class SecurityHeaders:
    """WSGI middleware: the headers above on every response (pages, error pages, static files).

    At the WSGI layer they are appended as one list, not validated one by one per response
    (which cost 60 us a request). It sits inside ProxyFix, so HTTPS behind a proxy counts."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.plain = [(k, v) for k, v in SECURITY_HEADERS]
        self.secure = self.plain + [("Strict-Transport-Security", HSTS)]
        # A view may set a stricter Referrer-Policy (pages reached by a secret link: no-referrer);
        # two would leave browsers the last one, the weaker.
        self.plain_keeping_referrer = [h for h in self.plain if h[0] != "Referrer-Policy"]
        self.secure_keeping_referrer = [h for h in self.secure if h[0] != "Referrer-Policy"]

    def __call__(self, environ, start_response):
        https = environ.get("wsgi.url_scheme") == "https"

        def start_with_headers(status, headers, exc_info=None):
            if any(name == "Referrer-Policy" for name, _ in headers):
                extra = self.secure_keeping_referrer if https else self.plain_keeping_referrer
            else:
                extra = self.secure if https else self.plain
            if exc_info is None:
                return start_response(status, headers + extra)
            return start_response(status, headers + extra, exc_info)

        return self.wsgi_app(environ, start_with_headers)


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
NOT_A_FORM = _l("This address only accepts what its web form sends, so nothing was saved. "
                "Please use the form on the page.")


# POSTs whose body is never read as anything but an optional form field: a one-click unsubscribe
# (RFC 8058) from a mail program that sends "List-Unsubscribe=One-Click" as text/plain still works.
BODY_NEVER_READ = {"notify.unsubscribe_post"}


def require_form_body():
    """Every state change here comes from an HTML form: a POST (or any method with a body) that is
    JSON, text or anything but a form is refused before any form or CSRF code reads it (Flask-WTF
    would read JSON as form data)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if not request.mimetype and not request.content_length:
        return None  # no body at all (a bare POST): nothing to misread; CSRF refuses it as a form without a token
    if request.endpoint in BODY_NEVER_READ:
        return None
    if request.mimetype not in FORM_TYPES:
        abort(415, description=str(NOT_A_FORM))
    return None


NUL_REFUSED = _l("The address holds a NUL character, which no browser sends, so nothing was done.")


def refuse_nul_in_path():
    """A path holding NUL (/post/a%00b) is refused before any view or query sees it: no browser sends
    one, and PostgreSQL refuses it in any string (it was a 500). Query and form values are each
    parsed or cleaned by what reads them (ids, redirect targets, names, comments)."""
    if "\x00" in request.path:
        abort(400, description=str(NUL_REFUSED))
    return None


def not_stored(response):
    """For staff pages, which show commenters' emails: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


class StaticVersions:
    """Content hashes of static files, for cache-busting URLs: /static/style.css?v=3f2a9c1e."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.cache: dict[str, str] = {}

    def version(self, filename: str) -> str | None:
        if filename not in self.cache:
            path = self.folder / filename
            if not path.is_file():
                return None
            self.cache[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        return self.cache[filename]


class PinnedScriptName:
    """WSGI middleware: the URL prefix the site lives under comes from SITE_URL's path (usually none),
    never from the request. gunicorn takes a SCRIPT_NAME request header from its trusted proxy
    addresses, and every link on a page is built on it, so a request could otherwise poison the
    page cache with links under a prefix of its choosing."""

    def __init__(self, wsgi_app, prefix: str):
        self.wsgi_app, self.prefix = wsgi_app, prefix

    def __call__(self, environ, start_response):
        environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = PinnedScriptName(app.wsgi_app, site_prefix(app.config))
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    proxies = app.config.get("TRUSTED_PROXIES")
    if proxies:
        count = int(proxies)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)

    # Static files: cached for a year, and the URL changes whenever the file does.
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
    versions = StaticVersions(app.static_folder)

    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = versions.version(values["filename"])
            if version:
                values["v"] = version
