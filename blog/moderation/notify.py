"""Mail to moderators about new comments: one plain-text notice per moderator, written to the outbox
with the comment (blog.mail) and sent after the commit; a mail server that is away loses nothing."""
from __future__ import annotations

from flask import current_app

from blog.core.models import Comment, CommentStatus, Moderator
from blog.core.rules import URGENT, as_list
from blog.extensions import db
from blog.mail import compose
from blog.mail.outbox import Mail


def recipients(config) -> list[str]:
    """MODERATION_NOTIFY, or else every active moderator."""
    configured = as_list(config.get("MODERATION_NOTIFY"))
    if configured:
        return configured
    return list(db.session.execute(db.select(Moderator.email).where(Moderator.disabled.is_(False))).scalars())


def moderators_notices(comment: Comment) -> list[Mail]:
    """The notices a newly held comment causes: none for spam or an approved one; with routine notices
    off (MODERATION_ROUTINE_NOTICES), only for an urgent comment (a reader who may be in danger)."""
    config = current_app.config
    if comment.status != CommentStatus.PENDING.value:
        return []
    if not config.get("MODERATION_ROUTINE_NOTICES", True) and URGENT not in comment.flag_list:
        return []
    return [compose.moderators_notice(comment, to) for to in recipients(config)]
