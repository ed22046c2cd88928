"""Readers' reply notices: following a comment's conversation (double opt-in), and the mails that
approvals cause. Every function works in the caller's transaction, except confirm and unsubscribe,
which commit: the mails are written to the outbox with the event that causes them."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from blog.core.models import Article, Comment, CommentStatus, utcnow
from blog.core.privacy import keyed_hash
from blog.core.urls import absolute_url
from blog.extensions import db
from blog.mail import compose
from blog.mail.models import (CONFIRM, FAILED, LIVE, REPLY, WAITING, NotifyAddress, NotifyQuiet, NotifyRequest,
                              NotifySubscription, OutboxMail)
from blog.mail.outbox import add_to_outbox, already_written, delete_finished_mail, mail_enabled

CONFIRMATION_LIFETIME = dt.timedelta(days=compose.CONFIRMATION_DAYS)
ONE_CONFIRMATION_PER = dt.timedelta(hours=24)
READER_KINDS = (CONFIRM, LIVE, REPLY)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _quiet_key(email: str) -> str:
    return keyed_hash(current_app.config["SECRET_KEY"].encode(), "notify-quiet", email.lower())


def _is_quiet(email: str, now: dt.datetime) -> bool:
    quiet = db.session.get(NotifyQuiet, _quiet_key(email))
    return quiet is not None and quiet.until > now


def _keep_quiet(email: str, now: dt.datetime) -> None:
    """The owner said stop: no confirmation mail for a day (the caller commits)."""
    key, until = _quiet_key(email), now + ONE_CONFIRMATION_PER
    quiet = db.session.get(NotifyQuiet, key)
    if quiet is None:
        db.session.add(NotifyQuiet(address_hash=key, until=until))
    else:
        quiet.until = max(quiet.until, until)


def unsubscribe_url(subscription: NotifySubscription) -> str:
    return absolute_url("notify.unsubscribe", token=subscription.token)


def is_confirmed(email: str) -> bool:
    return db.session.get(NotifyAddress, email.lower()) is not None


def follow(comment: Comment, email: str, now: dt.datetime | None = None) -> NotifySubscription:
    """The reader ticked "Email me...": follow the comment's conversation. An address not yet
    confirmed gets one confirmation mail, at most one a day whatever the number of comments; a
    confirmed one gets nothing now (the "live" mail comes with the approval)."""
    now, email = now or utcnow(), email.lower()
    subscription = NotifySubscription(comment_id=comment.id, email=email, token=secrets.token_urlsafe(32),
                                      created_at=now)
    db.session.add(subscription)
    db.session.flush()
    if is_confirmed(email) or _is_quiet(email, now):
        return subscription
    token = secrets.token_urlsafe(32)
    # One statement, so two comments at once cannot both mail: the row is written (and the mail
    # with it) only when there is none, or the last confirmation mail is more than a day old.
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(NotifyRequest)
    statement = insert.values(email=email, token_hash=_hash(token), requested_at=now).on_conflict_do_update(
        index_elements=[NotifyRequest.email],
        set_={"token_hash": insert.excluded.token_hash, "requested_at": insert.excluded.requested_at},
        where=NotifyRequest.requested_at < now - ONE_CONFIRMATION_PER,
    ).returning(NotifyRequest.email)
    if db.session.execute(statement).first() is not None:
        add_to_outbox([compose.confirmation(comment, email, token, unsubscribe_url(subscription))], now)
    return subscription


def _confirmed_followers(condition) -> list[NotifySubscription]:
    """Subscriptions of confirmed addresses on approved comments matching the condition, oldest first,
    one per address."""
    rows = db.session.execute(
        select(NotifySubscription).join(Comment, Comment.id == NotifySubscription.comment_id)
        .join(NotifyAddress, NotifyAddress.email == NotifySubscription.email)
        .where(condition, Comment.status == CommentStatus.APPROVED.value).order_by(NotifySubscription.id)
    ).scalars()
    first: dict[str, NotifySubscription] = {}
    for subscription in rows:
        first.setdefault(subscription.email, subscription)
    return list(first.values())


def _announce_live(comment: Comment) -> None:
    for subscription in _confirmed_followers(Comment.id == comment.id):
        if not already_written(LIVE, comment.id, subscription.email):
            add_to_outbox([compose.comment_is_live(comment, subscription.email, unsubscribe_url(subscription))])


def _announce_reply(reply: Comment) -> None:
    if reply.parent_id is None:
        return
    root = reply.parent_id  # replies are one level deep: the parent is the conversation's first comment
    own = (reply.author_email or "").lower()
    in_thread = or_(Comment.id == root, Comment.parent_id == root)
    for subscription in _confirmed_followers(in_thread & (Comment.id != reply.id)):
        if subscription.email != own and not already_written(REPLY, reply.id, subscription.email):
            add_to_outbox([compose.new_reply(reply, subscription.email, unsubscribe_url(subscription))])


def announce_approved(comments: Iterable[Comment]) -> None:
    """Comments just approved (by a moderator, or at once): "your comment is live" to its author and a
    reply notice to the others in the conversation, confirmed addresses only, each mail once ever."""
    if not mail_enabled():
        return
    for comment in comments:
        if comment.status == CommentStatus.APPROVED.value:
            _announce_live(comment)
            _announce_reply(comment)


def confirmation_email(token: str, now: dt.datetime | None = None) -> str | None:
    """The address a confirmation link is for, if the link is known and has not expired."""
    now = now or utcnow()
    request = db.session.execute(select(NotifyRequest).where(NotifyRequest.token_hash == _hash(token))).scalar_one_or_none()
    if request is None or request.requested_at < now - CONFIRMATION_LIFETIME:
        return None
    return request.email


def confirm(token: str, now: dt.datetime | None = None) -> bool:
    """The owner said yes: remember the address (and the date, nothing else); mail "live" for their
    comments already approved. False for an unknown, used or expired link."""
    now = now or utcnow()
    email = confirmation_email(token, now)
    if email is None:
        return False
    db.session.execute(delete(NotifyRequest).where(NotifyRequest.email == email))
    if db.session.get(NotifyAddress, email) is None:
        db.session.add(NotifyAddress(email=email, confirmed_at=now))
    db.session.flush()
    # Locked as a moderator's approval locks them (blog.moderation.actions): an approval in progress
    # finishes first and this sees it, or waits for this and sees the address confirmed. Either way
    # "live" is written once, never by neither.
    followed = db.session.execute(
        select(Comment).join(NotifySubscription, NotifySubscription.comment_id == Comment.id)
        .where(NotifySubscription.email == email).order_by(Comment.id)
        .with_for_update(of=Comment).execution_options(populate_existing=True)).scalars().unique()
    for comment in followed:
        if comment.status == CommentStatus.APPROVED.value:
            _announce_live(comment)
    db.session.commit()
    return True


def subscription_for(token: str) -> NotifySubscription | None:
    return db.session.execute(select(NotifySubscription).where(NotifySubscription.token == token)).scalar_one_or_none()


def _drop_unsent_mail(email: str, comment_ids: list[int] | None = None) -> None:
    """Reader mail not sent yet, waiting or failed (an admin's "Try again" must never revive it)."""
    condition = ((OutboxMail.recipient == email) & OutboxMail.status.in_((WAITING, FAILED))
                 & OutboxMail.kind.in_(READER_KINDS))
    if comment_ids is not None:
        condition &= OutboxMail.about_comment_id.in_(comment_ids)
    db.session.execute(delete(OutboxMail).where(condition))


def unsubscribe(token: str, everything: bool = False, now: dt.datetime | None = None) -> str | None:
    """Stop mail: this conversation ("thread"), or every mail to the address ("everything": the address
    leaves every notification table). None for an unknown or already used link."""
    subscription = subscription_for(token)
    if subscription is None:
        return None
    email = subscription.email
    # An address that never confirmed has nothing coming but confirmations: any "stop" stops it all.
    if everything or not is_confirmed(email):
        forget_address(email)
        _keep_quiet(email, now or utcnow())
        db.session.commit()
        return "everything"
    comment = db.session.get(Comment, subscription.comment_id)
    root = comment.parent_id or comment.id
    thread_ids = list(db.session.execute(select(Comment.id).where(or_(Comment.id == root, Comment.parent_id == root))).scalars())
    db.session.execute(delete(NotifySubscription).where(NotifySubscription.email == email,
                                                        NotifySubscription.comment_id.in_(thread_ids)))
    _drop_unsent_mail(email, thread_ids)
    db.session.commit()
    return "thread"


def forget_address(email: str) -> None:
    """Remove an address from the notification tables and its unsent mail (the caller commits)."""
    email = email.lower()
    db.session.execute(delete(NotifySubscription).where(NotifySubscription.email == email))
    db.session.execute(delete(NotifyRequest).where(NotifyRequest.email == email))
    db.session.execute(delete(NotifyAddress).where(NotifyAddress.email == email))
    _drop_unsent_mail(email)


def address_data(email: str) -> dict:
    """What the notification tables hold about an address (export-commenter)."""
    email = email.lower()
    address = db.session.get(NotifyAddress, email)
    request = db.session.get(NotifyRequest, email)
    rows = db.session.execute(
        select(NotifySubscription, Article.slug).join(Comment, Comment.id == NotifySubscription.comment_id)
        .join(Article, Article.id == Comment.article_id).where(NotifySubscription.email == email)
        .order_by(NotifySubscription.id)).all()
    return {
        "confirmed_at": address.confirmed_at.isoformat() if address else None,
        "confirmation_requested_at": request.requested_at.isoformat() if request else None,
        "subscriptions": [{"comment_id": s.comment_id, "article": slug, "created_at": s.created_at.isoformat()}
                          for s, slug in rows],
        "mail_waiting": db.session.execute(select(db.func.count()).select_from(OutboxMail).where(
            OutboxMail.recipient == email, OutboxMail.status == WAITING)).scalar_one(),
    }


def tidy(retention_days: int | None, now: dt.datetime | None = None) -> int:
    """Daily: forget confirmations never answered (and the conversations they would have followed),
    conversations followed from comments older than COMMENT_EMAIL_RETENTION_DAYS (and a confirmed
    address left following nothing), and finished mail older than 30 days. Returns how many unanswered addresses were forgotten."""
    now = now or utcnow()
    delete_finished_mail(now)
    if retention_days:
        cutoff = now - dt.timedelta(days=int(retention_days))
        old = select(Comment.id).where(Comment.created_at < cutoff)
        db.session.execute(delete(NotifySubscription).where(NotifySubscription.comment_id.in_(old.scalar_subquery())))
        # A confirmed address that follows nothing any more, confirmed before the cutoff, goes too: with
        # no conversation left, its owner would have no link left to remove it.
        following = select(NotifySubscription.email).where(NotifySubscription.email == NotifyAddress.email)
        db.session.execute(delete(NotifyAddress).where(NotifyAddress.confirmed_at < cutoff, ~following.exists()))
    db.session.execute(delete(NotifyQuiet).where(NotifyQuiet.until < now))
    # Conversations followed by an address that neither confirmed nor has a confirmation pending (it
    # asked while keeping quiet) lead nowhere: gone once a confirmation would have expired.
    pending = select(NotifyRequest.email).where(NotifyRequest.email == NotifySubscription.email)
    confirmed = select(NotifyAddress.email).where(NotifyAddress.email == NotifySubscription.email)
    db.session.execute(delete(NotifySubscription).where(NotifySubscription.created_at < now - CONFIRMATION_LIFETIME,
                                                        ~pending.exists(), ~confirmed.exists()))
    expired = list(db.session.execute(select(NotifyRequest.email).where(
        NotifyRequest.requested_at < now - CONFIRMATION_LIFETIME)).scalars())
    for email in expired:
        if db.session.get(NotifyAddress, email) is None:
            forget_address(email)
        else:
            db.session.execute(delete(NotifyRequest).where(NotifyRequest.email == email))
    db.session.commit()
    return len(expired)
