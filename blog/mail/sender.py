"""Sending the outbox: claim due mail (each row by exactly one sender, across threads, workers and
hosts), send it over SMTP, and record the outcome: sent, or a later attempt, or failed after
GIVE_UP_AFTER. A daemon thread in each web process does it when woken after a commit and every
MAIL_SEND_INTERVAL seconds; `flask send-mail` does it from cron."""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import Flask
from sqlalchemy import delete, select, update

from blog.core.models import Comment, CommentStatus, utcnow
from blog.extensions import db
from blog.mail.models import FAILED, LIVE, REPLY, SENT, WAITING, OutboxMail
from blog.mail.outbox import note_mail_written, retry_wait

log = logging.getLogger(__name__)
BATCH = 20
# A claim runs out after this: a sender that died holding rows leaves them to the others.
LEASE = dt.timedelta(minutes=5)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: "Report") -> None:
        self.sent, self.retrying, self.failed = (self.sent + other.sent, self.retrying + other.retrying,
                                                 self.failed + other.failed)


def build_message(mail: OutboxMail, config) -> EmailMessage:
    """The message as sent. The email library refuses a line break in any header (ValueError), so no
    name or title can add a header."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    sender_address = parseaddr(config["MAIL_FROM"])[1]  # "Clinic <comments@clinic.example>" too
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(mail.body, subtype="plain", charset="utf-8")
    return message


def open_smtp(config) -> smtplib.SMTP:
    """A connection to the configured server, with its TLS and login."""
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def claim(sender_id: str, now: dt.datetime, limit: int = BATCH) -> list:
    """Take up to `limit` due rows for this sender, atomically: one UPDATE whose WHERE only matches
    rows nobody holds (PostgreSQL also skips rows another claim has locked), so two senders never
    get the same row."""
    free = (OutboxMail.status == WAITING) & (OutboxMail.next_attempt_at <= now) & (
        OutboxMail.claimed_until.is_(None) | (OutboxMail.claimed_until < now))
    due = select(OutboxMail.id).where(free).order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(db.session.execute(
        update(OutboxMail).where(OutboxMail.id.in_(due.scalar_subquery()), free)
        .values(claimed_by=sender_id, claimed_until=now + LEASE)
        .returning(OutboxMail.id), execution_options={"synchronize_session": False}).scalars())
    db.session.commit()
    if not ids:
        return []
    # Plain rows, not ORM objects: a row deleted meanwhile (an unsubscribe, a deleted comment) must not
    # make the rest of the batch fail when an expired object is read again.
    return list(db.session.execute(select(*OutboxMail.__table__.c).where(
        OutboxMail.id.in_(ids), OutboxMail.claimed_by == sender_id).order_by(OutboxMail.id)).all())


def still_mine(mail, sender_id: str) -> bool:
    """Renew this sender's claim on a row just before sending it; False if the row is gone or the claim
    ran out and another sender took it (a slow server): then this sender must not send it too."""
    now = utcnow()
    renewed = db.session.execute(update(OutboxMail).where(
        OutboxMail.id == mail.id, OutboxMail.claimed_by == sender_id, OutboxMail.claimed_until > now,
        OutboxMail.status == WAITING).values(claimed_until=now + LEASE),
        execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return bool(renewed)


def _still_wanted(mail: OutboxMail) -> bool:
    """A reader's "live" or reply mail about a comment no longer approved is not sent."""
    if mail.kind not in (LIVE, REPLY) or mail.about_comment_id is None:
        return True
    status = db.session.execute(select(Comment.status).where(Comment.id == mail.about_comment_id)).scalar()
    return status == CommentStatus.APPROVED.value


def _finish(mail: OutboxMail, sender_id: str, error: str | None, now: dt.datetime, report: Report) -> None:
    """Record one attempt, only while this sender still holds the row."""
    mine = (OutboxMail.id == mail.id) & (OutboxMail.claimed_by == sender_id)
    if error is None:
        values = {"status": SENT, "sent_at": now, "body": "", "attempts": mail.attempts + 1, "last_error": None}
        report.sent += 1
    elif now >= mail.give_up_at:
        values = {"status": FAILED, "attempts": mail.attempts + 1, "last_error": error[:300]}
        report.failed += 1
        log.error("mail %s to moderators or a reader failed for good: %s", mail.id, error)
    else:
        values = {"attempts": mail.attempts + 1, "last_error": error[:300],
                  "next_attempt_at": now + retry_wait(mail.attempts + 1)}
        report.retrying += 1
        log.warning("mail %s not sent (%s); trying again later", mail.id, error)
    db.session.execute(update(OutboxMail).where(mine).values(claimed_by=None, claimed_until=None, **values),
                       execution_options={"synchronize_session": False})
    db.session.commit()


def send_batch(config, sender_id: str) -> tuple[int, Report]:
    """Claim and send one batch; returns (rows claimed, report)."""
    report = Report()
    mails = claim(sender_id, utcnow())
    if not mails:
        return 0, report
    smtp, connect_error = None, None
    try:
        for mail in mails:
            if not still_mine(mail, sender_id):
                continue
            if not _still_wanted(mail):
                db.session.execute(delete(OutboxMail).where(OutboxMail.id == mail.id))
                db.session.commit()
                continue
            try:
                message = build_message(mail, config)
            except (ValueError, TypeError) as exc:  # a header the library refuses: no attempt can succeed
                db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(
                    status=FAILED, claimed_by=None, claimed_until=None, last_error=f"unsendable: {exc}"[:300]),
                    execution_options={"synchronize_session": False})
                db.session.commit()
                report.failed += 1
                continue
            error = connect_error
            if error is None:
                try:
                    if smtp is None:
                        smtp = open_smtp(config)
                    smtp.send_message(message)
                except (OSError, smtplib.SMTPException) as exc:
                    error = f"{exc.__class__.__name__}: {exc}"
                    if smtp is None or isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                        connect_error = error  # the server is away: the rest of the batch waits too
            _finish(mail, sender_id, error, utcnow(), report)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return len(mails), report


def send_due(config, sender_id: str | None = None) -> Report:
    """Send everything due now, batch after batch, until nothing due is left unclaimed."""
    sender_id = sender_id or secrets.token_hex(8)
    total = Report()
    while True:
        claimed, report = send_batch(config, sender_id)
        total.add(report)
        if claimed == 0:  # a row that failed waits for its next attempt: it is not due again now
            return total


def mail_counts() -> dict[str, int]:
    """Mail waiting to be sent (or retried) and mail that failed, for the dashboard."""
    rows = dict(db.session.execute(select(OutboxMail.status, db.func.count()).where(
        OutboxMail.status.in_([WAITING, FAILED])).group_by(OutboxMail.status)).all())
    return {WAITING: rows.get(WAITING, 0), FAILED: rows.get(FAILED, 0)}


def failed_mail(limit: int = 50) -> list[OutboxMail]:
    """The newest mails that failed for good, for the dashboard."""
    return list(db.session.execute(select(OutboxMail).where(OutboxMail.status == FAILED)
                                   .order_by(OutboxMail.id.desc()).limit(limit)).scalars())


def retry(mail_id: int, now: dt.datetime | None = None) -> bool:
    """An admin's "Try again" on a failed mail: waiting again, due now, with three more days."""
    now = now or utcnow()
    changed = db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.status == FAILED).values(
        status=WAITING, next_attempt_at=now, give_up_at=now + dt.timedelta(days=3), attempts=0,
        claimed_by=None, claimed_until=None), execution_options={"synchronize_session": False}).rowcount
    if changed:
        note_mail_written()
    db.session.commit()
    return bool(changed)


class BackgroundSender:
    """The sender thread of one app in one process (a forked worker starts its own).

    Under gunicorn each worker's thread runs for good (started in post_fork), so retries and mail
    written elsewhere go out. Started by a commit instead (flask run, a script), it stops once no
    mail is waiting, and the next commit that writes mail starts it again."""

    def __init__(self, app: Flask):
        self.app, self.wakeup, self.stopping = app, threading.Event(), threading.Event()
        self.thread: threading.Thread | None = None
        self.pid, self.lock, self.sender_id, self.persistent = None, threading.Lock(), secrets.token_hex(8), False

    def ensure_running(self, persistent: bool = False) -> None:
        with self.lock:
            self.persistent = self.persistent or persistent
            if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
                return
            self.pid, self.sender_id = os.getpid(), secrets.token_hex(8)
            self.stopping.clear()
            self.thread = threading.Thread(target=self.run, name="mail-sender", daemon=True)
            self.thread.start()

    def wake(self) -> None:
        self.wakeup.set()  # first: a thread deciding to stop sees it (run) or a new one starts
        self.ensure_running()

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        self.wakeup.set()
        thread = self.thread
        if thread is not None and self.pid == os.getpid():
            thread.join(timeout)

    def send_now(self) -> bool:
        """Send what is due; whether mail is still waiting (for a retry) afterwards."""
        with self.app.app_context():
            try:
                send_due(self.app.config, self.sender_id)
                return db.session.execute(select(OutboxMail.id).where(OutboxMail.status == WAITING).limit(1)).first() is not None
            except Exception:  # the database away: try again at the next wake-up
                log.warning("the mail sender could not read the outbox; trying again later", exc_info=True)
                return True
            finally:
                db.session.remove()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wakeup.clear()
            waiting = self.send_now() if self.app.config.get("MAIL_SERVER") else False
            if not waiting and not self.persistent:
                with self.lock:
                    if not self.wakeup.is_set():  # a commit after this point starts a new thread
                        self.thread = None
                        return
                continue
            self.wakeup.wait(float(self.app.config.get("MAIL_SEND_INTERVAL", 30)))


def background_sender(app: Flask) -> BackgroundSender | None:
    """This app's sender, if it runs one (MAIL_SERVER set and MAIL_BACKGROUND_SENDER not turned off)."""
    if not app.config.get("MAIL_SERVER") or not app.config.get("MAIL_BACKGROUND_SENDER", True):
        return None
    return app.extensions.setdefault("mail_sender", BackgroundSender(app))


def wake_sender(app: Flask) -> None:
    """After a commit that wrote mail: send it now, in the background."""
    sender = background_sender(app)
    if sender is not None:
        sender.wake()


def stop_sender(app: Flask) -> None:
    sender = app.extensions.get("mail_sender")
    if sender is not None:
        sender.stop()
