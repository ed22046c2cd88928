"""The words of every mail: plain text, naming the article, every link on SITE_URL (never on a
request's Host). Names go into subjects as they were cleaned (blog.core.text.clean_name: one line,
no controls); the mail library refuses any line break left in a header (blog.mail.sender)."""
from __future__ import annotations

from flask import current_app

from blog.core.models import Comment
from blog.core.urls import absolute_url
from blog.mail.models import CONFIRM, LIVE, REPLY, TO_MODERATORS
from blog.mail.outbox import Mail

CONFIRMATION_DAYS = 7


def _quote(title: str) -> str:
    return f"\u201c{title}\u201d"


def _signature() -> str:
    return f"\n-- \n{current_app.config['SITE_NAME']}\n{absolute_url('reader.index')}\n"


def comment_url(comment: Comment) -> str:
    return absolute_url("reader.article", slug=comment.article.slug, _anchor=f"comment-{comment.id}")


def moderators_notice(comment: Comment, recipient: str) -> Mail:
    """A new comment waits in the queue: the article, the name, the raw text and a link to the queue
    (no action links: acting needs a signed-in moderator)."""
    urgent = "urgent" in comment.flag_list
    flags = f"\nFlags: {', '.join(comment.flag_list)}" if comment.flag_list else ""
    return Mail(
        kind=TO_MODERATORS, recipient=recipient, about_comment_id=comment.id,
        subject=(f"{'URGENT: a reader may be in danger, ' if urgent else ''}"
                 f"New comment to moderate on {_quote(comment.article.title)}"),
        body=(f"A new comment is waiting for moderation.\n\n"
              f"Article: {comment.article.title}\n"
              f"Name: {comment.author_name}{flags}\n\n"
              f"{comment.body_raw}\n\n"
              f"Review it in the moderation queue:\n{absolute_url('moderation.queue.index')}\n"),
    )


def confirmation(comment: Comment, recipient: str, token: str, unsubscribe_url: str) -> Mail:
    """The one mail an address gets before its owner says yes (double opt-in)."""
    return Mail(
        kind=CONFIRM, recipient=recipient, about_comment_id=comment.id, unsubscribe_url=unsubscribe_url,
        subject=f"Please confirm: emails about your comment on {_quote(comment.article.title)}",
        body=(f"Hello {comment.author_name},\n\n"
              f"You asked to be emailed when your comment on {_quote(comment.article.title)} is published "
              f"and when someone replies to it.\n\n"
              f"To say yes, open this link and press the button on the page:\n"
              f"{absolute_url('notify.confirm', token=token)}\n\n"
              f"The link works for {CONFIRMATION_DAYS} days. If you did not ask for this, you can ignore "
              f"this email: we will not email you about comments unless you confirm.\n" + _signature()),
    )


def comment_is_live(comment: Comment, recipient: str, unsubscribe_url: str) -> Mail:
    return Mail(
        kind=LIVE, recipient=recipient, about_comment_id=comment.id, unsubscribe_url=unsubscribe_url,
        subject=f"Your comment is live on {_quote(comment.article.title)}",
        body=(f"Hello {comment.author_name},\n\n"
              f"Your comment is live: it is now published on {_quote(comment.article.title)}.\n\n"
              f"See it here:\n{comment_url(comment)}\n\n"
              f"We will email you when someone replies.\n\n"
              f"To stop these emails, open:\n{unsubscribe_url}\n" + _signature()),
    )


def new_reply(reply: Comment, recipient: str, unsubscribe_url: str) -> Mail:
    """An approved reply in a conversation the recipient follows: the replier's name and the text, plain."""
    return Mail(
        kind=REPLY, recipient=recipient, about_comment_id=reply.id, unsubscribe_url=unsubscribe_url,
        subject=f"{reply.author_name[:80]} replied on {_quote(reply.article.title)}",
        body=(f"{reply.author_name} replied in the conversation you follow on {_quote(reply.article.title)}:\n\n"
              f"{reply.body_raw}\n\n"
              f"Read it and answer:\n{comment_url(reply)}\n\n"
              f"To stop emails about this conversation, open:\n{unsubscribe_url}\n" + _signature()),
    )
