"""The words of every mail: plain text, naming the article, every link on SITE_URL (never on a
request's Host). Names go into subjects as they were cleaned (blog.core.text.clean_name: one line,
no controls); the mail library refuses any line break left in a header (blog.mail.sender).
Composed at event time in an app context, in the site's language (SITE_LANGUAGE): each paragraph is
one translated message; the quotes around a title belong to the message (« », „ “ in other languages)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _, ngettext

from blog.core.i18n import number
from blog.core.models import Comment
from blog.core.rules import flag_label
from blog.core.urls import absolute_url
from blog.mail.models import CONFIRM, LIVE, REPLY, TO_MODERATORS
from blog.mail.outbox import Mail

CONFIRMATION_DAYS = 7


def _signature() -> str:
    return f"\n-- \n{current_app.config['SITE_NAME']}\n{absolute_url('reader.index')}\n"


def _body(*paragraphs: str, signed: bool = True) -> str:
    """Paragraphs separated by a blank line, then the signature (reader mails)."""
    return "\n\n".join(paragraphs) + "\n" + (_signature() if signed else "")


def comment_url(comment: Comment) -> str:
    return absolute_url("reader.article", slug=comment.article.slug, _anchor=f"comment-{comment.id}")


def moderators_notice(comment: Comment, recipient: str) -> Mail:
    """A new comment waits in the queue: the article, the name, the raw text and a link to the queue
    (no action links: acting needs a signed-in moderator). Flags in the words the queue shows."""
    title = comment.article.title
    if "urgent" in comment.flag_list:
        subject = _("URGENT: a reader may be in danger – new comment to moderate on “%(title)s”", title=title)
    else:
        subject = _("New comment to moderate on “%(title)s”", title=title)
    details = [_("Article: %(title)s", title=title), _("Name: %(name)s", name=comment.author_name)]
    if comment.flag_list:
        details.append(_("Flags: %(flags)s", flags=", ".join(flag_label(f) for f in comment.flag_list)))
    return Mail(
        kind=TO_MODERATORS, recipient=recipient, about_comment_id=comment.id, subject=subject,
        body=_body(_("A new comment is waiting for moderation."),
                   "\n".join(details),
                   comment.body_raw,
                   _("Review it in the moderation queue:") + "\n" + absolute_url("moderation.queue.index"),
                   signed=False),
    )


def confirmation(comment: Comment, recipient: str, token: str, unsubscribe_url: str) -> Mail:
    """The one mail an address gets before its owner says yes (double opt-in)."""
    title = comment.article.title
    return Mail(
        kind=CONFIRM, recipient=recipient, about_comment_id=comment.id, unsubscribe_url=unsubscribe_url,
        subject=_("Please confirm: emails about your comment on “%(title)s”", title=title),
        # No text a reader typed (not even the name): anyone can type any address into the form.
        body=_body(_("Hello,"),
                   _("You asked to be emailed when your comment on “%(title)s” is published and when someone "
                     "replies to it.", title=title),
                   _("To say yes, open this link and press the button on the page:") + "\n"
                   + absolute_url("notify.confirm", token=token),
                   ngettext("The link works for %(count)s day.", "The link works for %(count)s days.",
                            CONFIRMATION_DAYS, count=number(CONFIRMATION_DAYS)) + " "
                   + _("If you did not ask for this, you can ignore this email: we will not email you about "
                       "comments unless you confirm.")),
    )


def comment_is_live(comment: Comment, recipient: str, unsubscribe_url: str) -> Mail:
    title = comment.article.title
    return Mail(
        kind=LIVE, recipient=recipient, about_comment_id=comment.id, unsubscribe_url=unsubscribe_url,
        subject=_("Your comment is live on “%(title)s”", title=title),
        body=_body(_("Hello,"),  # the name is the commenter's word, not proof of who owns the address
                   _("Your comment is live: it is now published on “%(title)s”.", title=title),
                   _("See it here:") + "\n" + comment_url(comment),
                   _("We will email you when someone replies."),
                   _("To stop these emails, open:") + "\n" + unsubscribe_url),
    )


def new_reply(reply: Comment, recipient: str, unsubscribe_url: str) -> Mail:
    """An approved reply in a conversation the recipient follows: the replier's name and the text, plain."""
    title = reply.article.title
    return Mail(
        kind=REPLY, recipient=recipient, about_comment_id=reply.id, unsubscribe_url=unsubscribe_url,
        subject=_("%(name)s replied on “%(title)s”", name=reply.author_name[:80], title=title),
        body=_body(_("%(name)s replied in the conversation you follow on “%(title)s”:",
                     name=reply.author_name, title=title),
                   reply.body_raw,
                   _("Read it and answer:") + "\n" + comment_url(reply),
                   _("To stop emails about this conversation, open:") + "\n" + unsubscribe_url),
    )
