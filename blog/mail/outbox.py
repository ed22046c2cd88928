"""Writing mail to the outbox, in the caller's transaction (the caller commits); after the commit
the sender in this process is woken (blog.mail.sender) and the mail goes out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, event, insert

from blog.core.models import utcnow
from blog.extensions import db
from blog.mail.models import FAILED, SENT, WAITING, OutboxMail

# Waits between attempts after a failure (about 1 minute, 5, 30, 2 hours, then every 12 hours),
# until GIVE_UP_AFTER has passed since the mail was written: then it is marked failed.
RETRY_WAITS = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
               dt.timedelta(hours=2), dt.timedelta(hours=12))
GIVE_UP_AFTER = dt.timedelta(days=3)
_QUEUED = "mail_queued"


@dataclass(frozen=True)
class Mail:
    """One plain-text mail to one address."""

    kind: str
    recipient: str
    subject: str
    body: str
    unsubscribe_url: str | None = None
    about_comment_id: int | None = None


def mail_enabled() -> bool:
    """Mail is on when a MAIL_SERVER is configured (create_app then requires the site's address)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def retry_wait(attempts: int) -> dt.timedelta:
    """How long to wait after the attempts-th failed attempt."""
    return RETRY_WAITS[min(max(attempts, 1), len(RETRY_WAITS)) - 1]


def add_to_outbox(mails: list[Mail], now: dt.datetime | None = None) -> int:
    """Write the mails to the outbox in the session's transaction; returns how many."""
    if not mails:
        return 0
    now = now or utcnow()
    db.session.execute(insert(OutboxMail), [{
        "kind": m.kind, "recipient": m.recipient, "subject": m.subject[:300], "body": m.body,
        "unsubscribe_url": m.unsubscribe_url, "about_comment_id": m.about_comment_id, "status": WAITING,
        "attempts": 0, "next_attempt_at": now, "give_up_at": now + GIVE_UP_AFTER, "created_at": now,
    } for m in mails])
    note_mail_written()
    return len(mails)


def note_mail_written() -> None:
    """Wake the sender once this session's transaction commits."""
    db.session.info[_QUEUED] = True


def already_written(kind: str, about_comment_id: int, recipient: str) -> bool:
    """Whether this mail about this comment was written to this address before (sent or not)."""
    return db.session.execute(db.select(OutboxMail.id).where(
        OutboxMail.kind == kind, OutboxMail.about_comment_id == about_comment_id,
        OutboxMail.recipient == recipient).limit(1)).first() is not None


KEEP_FINISHED_MAIL = dt.timedelta(days=30)


def delete_finished_mail(now: dt.datetime | None = None) -> int:
    """Daily: forget mail sent, or failed for good, more than KEEP_FINISHED_MAIL ago (the caller commits)."""
    cutoff = (now or utcnow()) - KEEP_FINISHED_MAIL
    return db.session.execute(delete(OutboxMail).where(
        ((OutboxMail.status == SENT) & (OutboxMail.sent_at < cutoff))
        | ((OutboxMail.status == FAILED) & (OutboxMail.give_up_at < cutoff)))).rowcount


def wake_sender_after_commit(session) -> None:
    """Session hook: a commit that wrote mail wakes this process's sender."""
    if session.info.pop(_QUEUED, False):
        from blog.mail.sender import wake_sender  # the sender imports this module
        wake_sender(current_app._get_current_object())


def forget_queued(session) -> None:
    session.info.pop(_QUEUED, None)


def init_app(app) -> None:
    if not event.contains(db.session, "after_commit", wake_sender_after_commit):  # once, for every app
        event.listen(db.session, "after_commit", wake_sender_after_commit)
        event.listen(db.session, "after_rollback", forget_queued)
