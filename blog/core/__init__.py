"""What every audience shares: models and the triggers that keep their public state, article content,
sanitizing and text, privacy, URLs from configuration, security headers, template filters, error pages."""
from __future__ import annotations

from flask import Flask

from blog.core import errors, i18n, public_state, security, templating, urls  # public_state: triggers join CREATE

__all__ = ["init_app", "public_state"]


def init_app(app: Flask) -> None:
    """Security middleware (outside the fast path and the request log), URL converters (before any
    blueprint), template filters and error pages."""
    security.init_app(app)
    urls.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
