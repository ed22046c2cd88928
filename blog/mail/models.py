"""Tables for mail: the outbox every mail goes through, and readers' reply notifications
(addresses that confirmed, confirmations waiting, and which comment threads each follows)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from blog.core.models import utcnow
from blog.extensions import db

# OutboxMail.status
WAITING, SENT, FAILED = "waiting", "sent", "failed"
# OutboxMail.kind: moderators' notices, and the three mails a reader can get.
TO_MODERATORS, CONFIRM, LIVE, REPLY = "moderators", "confirm", "live", "reply"


class OutboxMail(db.Model):
    """One mail to one recipient, written in the transaction of the event that causes it and sent
    after the commit (blog.mail.sender). It stays until it is sent or it has failed for three days."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # plain text; emptied once sent
    # Reader mails: the one-click unsubscribe address (List-Unsubscribe, RFC 8058).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # The comment the mail is about: deleting it deletes its unsent mail.
    about_comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=WAITING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    give_up_at: Mapped[dt.datetime]
    # A sender's claim: who holds the row and until when (a crashed sender's claim runs out).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class NotifyAddress(db.Model):
    """An address whose owner confirmed they want reply notices: the address and the date, nothing else."""

    __tablename__ = "notify_address"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower case
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotifyRequest(db.Model):
    """A confirmation mailed and not yet answered; it expires after CONFIRMATION_DAYS. requested_at is
    when the last confirmation mail was written: at most one a day per address."""

    __tablename__ = "notify_request"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower case
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotifyQuiet(db.Model):
    """An address whose owner said stop, as a keyed hash (never the address itself): no confirmation
    mail goes to it until `until`, so "one a day" holds whatever was unsubscribed and a stranger who
    types the address again cannot mail its owner at once. Housekeeping deletes it after that."""

    __tablename__ = "notify_quiet"
    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[dt.datetime]


class NotifySubscription(db.Model):
    """A reader who ticked "Email me..." on a comment follows that comment's thread. Its token is the
    thread's unsubscribe link (random, so it says nothing about the address)."""

    __tablename__ = "notify_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower case
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
