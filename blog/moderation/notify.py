"""Mail to moderators about new comments: plain text, sent after the commit, in the background.

A mail failure is logged and never touches the comment or the reader's request."""
from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage

from flask import current_app

from blog.extensions import db
from blog.core.models import Comment, Moderator
from blog.core.rules import as_list
from blog.core.urls import absolute_url

log = logging.getLogger(__name__)


def recipients(config) -> list[str]:
    configured = as_list(config.get("MODERATION_NOTIFY"))
    if configured:
        return configured
    return list(db.session.execute(db.select(Moderator.email).where(Moderator.disabled.is_(False))).scalars())


def build_message(comment: Comment, queue_url: str, sender: str, to: list[str]) -> EmailMessage:
    """The notice: the article, the name and the raw text, and a link to the queue (no action links)."""
    message = EmailMessage()
    urgent = "urgent" in comment.flag_list
    message["Subject"] = (f"{'URGENT: a reader may be in danger, ' if urgent else ''}"
                          f"New comment to moderate on \u201c{comment.article.title}\u201d")
    message["From"] = sender
    message["To"] = ", ".join(to)
    flags = f"\nFlags: {', '.join(comment.flag_list)}" if comment.flag_list else ""
    message.set_content(
        f"A new comment is waiting for moderation.\n\n"
        f"Article: {comment.article.title}\n"
        f"Name: {comment.author_name}{flags}\n\n"
        f"{comment.body_raw}\n\n"
        f"Review it in the moderation queue:\n{queue_url}\n",
        subtype="plain", charset="utf-8",
    )
    return message


def send(message: EmailMessage, config) -> None:
    """Deliver one message over SMTP with the configured TLS and login."""
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def _deliver(message: EmailMessage, config, comment_id: int) -> None:
    try:
        send(message, config)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("Could not send the notice for comment %s: %s", comment_id, exc.__class__.__name__)


def notify_new_comment(comment_id: int) -> threading.Thread | None:
    """Mail moderators about a committed pending comment, in a background thread; off without MAIL_SERVER.
    The queue's link is built on the configured site address (create_app refuses mail without one),
    never on the request's Host header."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return None
    comment = db.session.get(Comment, comment_id)
    if not config.get("MODERATION_ROUTINE_NOTICES", True) and "urgent" not in comment.flag_list:
        return None  # routine notices off: only a reader who may be in danger is mailed about
    queue_url = absolute_url("moderation.queue.index")
    to = recipients(config)
    if not to:
        return None
    message = build_message(comment, queue_url, config["MAIL_FROM"], to)
    mail_config = {k: v for k, v in config.items() if k.startswith("MAIL_")}
    thread = threading.Thread(target=_deliver, args=(message, mail_config, comment.id), daemon=True)
    thread.start()
    return thread
