"""Mail to moderators about new comments, through a real SMTP server on loopback."""
import logging
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from blog.extensions import db
from blog.core.models import Comment

SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def wait_for(self, count, timeout=5.0):
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
    [envelope] = inbox.wait_for(1)
    assert sorted(envelope.rcpt_tos) == ["desk@clinic.example", "nurse@clinic.example"]
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


def test_a_refused_connection_loses_nothing_and_is_logged(app, reader, make_article, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MODERATION_NOTIFY=["d@clinic.example"])
    make_article()
    with caplog.at_level(logging.ERROR, logger="blog.moderation.notify"):
        response = reader.comment(SLUG, body="Still here")
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.02)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.execute(db.select(Comment.body_raw)).scalar_one() == "Still here"
    assert "Could not send the notice for comment 1" in caplog.text


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
