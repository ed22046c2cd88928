"""What readers use: the index, article pages with their comments and the comment POST, feeds; view
counting, comment submission and the comment form with its cookieless token."""
from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound


def init_app(app: Flask) -> None:
    """The views are imported here, not at the top: the fast path uses this package's page state and
    comment tokens and must not load a blueprint with them."""
    from blog.readers import feeds, old_links, views

    app.register_blueprint(views.bp)
    app.register_blueprint(feeds.bp)
    app.register_error_handler(NotFound, old_links.not_found)
