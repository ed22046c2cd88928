"""URLs that a request could otherwise steer: absolute URLs (from configuration only), same-site
redirect targets, and numbers taken from a request.

No request header may decide what another reader is served or what a mail links to: an absolute
URL is built on SITE_URL, else on the first TRUSTED_HOSTS entry, and without either it is a path
on this site (a relative URL), never the request's Host, X-Forwarded-Host or Forwarded."""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter

# Ids are Integer columns: 32-bit on PostgreSQL (int4), so a larger number is no row of ours and
# must never reach a query (PostgreSQL refuses it as out of range).
LARGEST_ID = 2**31 - 1
# No list here has a million pages; an OFFSET beyond this would overflow the databases' integers.
LARGEST_PAGE = 1_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def site_base(config: Mapping) -> str | None:
    """The site's public address without a trailing slash, from configuration; None if not set."""
    site = (config.get("SITE_URL") or "").strip()
    if site:
        return site.rstrip("/")
    hosts = config.get("TRUSTED_HOSTS") or []
    if hosts:
        scheme = config.get("PREFERRED_URL_SCHEME", "http")  # Flask's setting; "https" behind TLS
        return f"{scheme}://{hosts[0].lstrip('.')}"
    return None


def site_prefix(config: Mapping) -> str:
    """The path the site lives under ("" at the root, "/blog" for SITE_URL https://clinic.example/blog)."""
    return urlsplit((config.get("SITE_URL") or "").strip()).path.rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """A full URL on the configured site address; without one, the path alone (a relative URL).
    url_for's path already starts with the site's prefix (blog.core.security.PinnedScriptName)."""
    base = site_base(current_app.config)
    if not has_request_context():  # a mail written by a command or a background thread
        with current_app.test_request_context(base_url=base or "http://localhost"):  # Flask's way to build URLs outside a request
            return absolute_url(endpoint, **values)
    path = url_for(endpoint, **values)
    if not base:
        return path
    scheme, netloc, *_ = urlsplit(base)
    return f"{scheme}://{netloc}{path}"


def feed_id(url: str) -> str:
    """An Atom id (an absolute IRI): the URL itself when absolute, else a stable urn:uuid for the path."""
    if urlsplit(url).scheme:
        return url
    return uuid.uuid5(uuid.NAMESPACE_URL, f"clinic-blog:{url}").urn


def has_control_characters(text: str) -> bool:
    """Whether text holds a C0/C1 control character (NUL, CR, LF...): no browser sends one in a path,
    a query or a form field, and PostgreSQL refuses NUL in any string."""
    return bool(_CONTROL.search(text))


def safe_next(target: str | None) -> str | None:
    """A redirect target from a request, only if it is a path on this site: never //host, a scheme,
    a backslash (which browsers read as a slash) or a control character (which would split the
    Location header). Anything else is None, and the caller falls back to its default."""
    if not target or not isinstance(target, str):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target or _CONTROL.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def parse_id(value: object) -> int | None:
    """A positive database id from a request value ("12"), or None: only ASCII digits, at most
    LARGEST_ID ("²" is a digit to str.isdigit and 10**30 overflows the databases' integers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= LARGEST_ID else None


def page_number(value: str | None) -> int | None:
    """A page number from a query string: 1 when absent, None (answer 404) when not a sensible number."""
    if value is None or value == "":
        return 1
    number = parse_id(value)
    return number if number is not None and number <= LARGEST_PAGE else None


class IdConverter(IntegerConverter):
    """`<id:comment_id>` in a route: a positive integer that fits the databases' ids, else a 404."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=LARGEST_ID)


def init_app(app) -> None:
    app.url_map.converters["id"] = IdConverter
