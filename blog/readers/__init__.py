"""What readers use: the index, article pages with their comments and the comment POST, feeds; view
counting, comment submission and the comment form with its cookieless token."""
from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound

from blog.readers import feeds, old_links, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(feeds.bp)
    app.register_error_handler(NotFound, old_links.not_found)
