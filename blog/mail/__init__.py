"""Mail: the outbox every mail goes through, its sender, and readers' reply notices (double opt-in,
one-click unsubscribe). Off while MAIL_SERVER is empty."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from blog.mail import outbox
    from blog.mail.commands import send_mail_command
    from blog.mail.views import bp

    outbox.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(send_mail_command)
