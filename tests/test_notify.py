"""Mail to moderators about new comments, through a real SMTP server on loopback."""
import logging
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from blog.extensions import db
from blog.core.models import Comment
from blog.mail.models import OutboxMail

SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def wait_for(self, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_a_new_pending_comment_mails_the_moderators_in_plain_text(app, reader, make_article, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="blog@clinic.example",
                      MODERATION_NOTIFY=["desk@clinic.example", "nurse@clinic.example"],
                      SITE_URL="https://blog.clinic.example")
    make_article()
    # The link comes from SITE_URL, whatever Host the request that caused the mail named.
    reader.comment(SLUG, name="Ana", body="<b>Hello</b> doctors\nline two", email="ana@example.org",
                   headers={"Host": "evil.example", "Origin": "http://evil.example",
                            "X-Forwarded-Host": "evil.example"})
    envelopes = inbox.wait_for(2)
    # One mail per moderator (each sent, retried or failed on its own, through the outbox).
    assert sorted(e.rcpt_tos[0] for e in envelopes) == ["desk@clinic.example", "nurse@clinic.example"]
    assert all(len(e.rcpt_tos) == 1 for e in envelopes)
    envelope = envelopes[0]
    text = envelope.content.decode()
    assert "Content-Type: text/plain" in text and "text/html" not in text
    assert "Exploring Ketamine as a Promising Migraine Treatment" in text
    assert "Name: Ana" in text and "<b>Hello</b> doctors\nline two" in text.replace("\r\n", "\n")
    assert "https://blog.clinic.example/moderation/" in text and "evil.example" not in text
    assert "ana@example.org" not in text
    assert "approve" not in text.lower().replace("review", "")


def test_without_a_mail_server_nothing_is_sent(app, reader, make_article, smtp_server):
    controller, inbox = smtp_server
    make_article()
    app.config["MODERATION_NOTIFY"] = ["desk@clinic.example"]
    reader.comment(SLUG, body="quiet")
    time.sleep(0.3)
    assert inbox.messages == []


def test_spam_sends_no_mail(app, reader, make_article, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MODERATION_NOTIFY=["d@clinic.example"])
    make_article()
    reader.comment(SLUG, body="bot", website="filled")
    time.sleep(0.3)
    assert inbox.messages == []


def test_a_refused_connection_loses_nothing_and_the_notice_goes_out_later(app, reader, make_article, runner,
                                                                        caplog):
    port = free_port()  # nothing listens here yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MODERATION_NOTIFY=["d@clinic.example"],
                      SITE_URL="https://blog.clinic.example", MAIL_BACKGROUND_SENDER=False)
    make_article()
    response = reader.comment(SLUG, body="Still here")
    assert response.status_code == 303
    with caplog.at_level(logging.WARNING, logger="blog.mail.sender"):
        result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and "Sent 0 mail(s); 1 will be tried again later" in result.output
    assert "not sent (ConnectionRefusedError" in caplog.text
    with app.app_context():
        assert db.session.execute(db.select(Comment.body_raw)).scalar_one() == "Still here"
        [mail] = db.session.execute(db.select(OutboxMail)).scalars().all()
        assert (mail.status, mail.attempts) == ("waiting", 1) and "Still here" in mail.body
        mail.next_attempt_at = mail.created_at  # the first wait (about a minute) is over
        db.session.commit()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = runner.invoke(args=["send-mail", "--once"])
        assert "Sent 1 mail(s)" in result.output
        [envelope] = inbox.wait_for(1)
        assert "Still here" in envelope.content.decode()
    finally:
        controller.stop()


def test_an_urgent_comment_is_mailed_at_once_and_says_so(app, reader, make_article, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="blog@clinic.example",
                      MODERATION_NOTIFY=["desk@clinic.example"], SITE_URL="https://blog.clinic.example")
    make_article()
    reader.comment(SLUG, name="Sam", body="I have taken all my pills, I want to die.")
    [envelope] = inbox.wait_for(1)
    text = envelope.content.decode()
    assert "Subject: URGENT: a reader may be in danger" in text.replace("\r\n ", " ")
    assert "Flags: urgent" in text


def test_with_routine_notices_off_only_urgent_comments_are_mailed(app, reader, make_article, smtp_server):
    controller, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MODERATION_NOTIFY=["desk@clinic.example"],
                      SITE_URL="https://blog.clinic.example", MODERATION_ROUTINE_NOTICES=False)
    make_article()
    reader.comment(SLUG, body="An ordinary question about sleep.")
    reader.comment(SLUG, body="I cannot go on, I want to end my life.")
    [envelope] = inbox.wait_for(1)
    time.sleep(0.3)
    assert len(inbox.messages) == 1 and "end my life" in envelope.content.decode()
