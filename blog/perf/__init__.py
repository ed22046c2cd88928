"""Everything that exists only for speed; if speed did not matter, this package could go (with a
plain session interface, Flask-Limiter's own hook and SQLAlchemy sessions in its place):

fastpath        cookieless readers' cached article and index pages answered before Flask
shared_pages    the one key builder and one response builder of the pages every reader shares
page_cache      per-worker caches of rendered pages and fragments, pages with holes
hot_connection  one driver connection per worker thread for plain SQL, short SQLite busy waits
signing         serializers that derive their keys once; Flask's cookie sessions on them
form_tokens     the staff forms' CSRF token reused for a minute per session on cached pages
form_translations  WTForms' messages from its per-process catalog cache (SiteForm), not read from disk per request
limiter_hook    Flask-Limiter's app-wide per-request check taken out (every limit is a decorator)

Correctness does not rest on remembering anything here: every cache key is built by one function
from versions the database keeps (blog.core.public_state), and the fast path and the views share
one response builder."""
from __future__ import annotations

from flask import Flask

from blog.perf import fastpath, limiter_hook
from blog.perf.signing import CachedSignerSessionInterface


def install_fast_path(app: Flask) -> None:
    """Innermost WSGI middleware: call before anything else wraps app.wsgi_app."""
    fastpath.init_app(app)


def init_app(app: Flask) -> None:
    """After the extensions are bound."""
    limiter_hook.skip_global_rate_limit_check(app)
    app.session_interface = CachedSignerSessionInterface()
