"""A reader's reply notices, the whole story in Chromium against gunicorn with a real SMTP server on
loopback: ask for emails, confirm, hear that the comment is live and that the clinic replied, then
unsubscribe in one click as a mail provider does, and hear nothing more."""
from __future__ import annotations

import re
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from blog.extensions import db
from blog.mail.models import REPLY, NotifyAddress, NotifyRequest, OutboxMail
from tests.helpers import KETAMINE, axe_violations, sign_in
from tests.servers import free_port

READER = "lena.reader@example.org"
DESK = "desk@clinic.example"
TITLE = "Exploring Ketamine as a Promising Migraine Treatment"
CLINIC = "Clinic Health Notes"  # SITE_NAME: the name clinic replies are signed with
SITE_URL = "https://blog.clinic.example"  # mail links: their path is opened on the test server
# Filled in by the `inbox` fixture (the SMTP port is known only once it listens), before `site` starts.
SITE_ENV: dict[str, str] = {}


class Inbox:
    """Every message the SMTP server accepted, parsed as a mail program would."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's interface)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for recipients, message in self.received if address in recipients]

    def wait_for(self, address: str, count: int, timeout: float = 20) -> list[EmailMessage]:
        """The messages to address once there are `count` of them (fails after timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        messages = self.to(address)
        assert len(messages) >= count, f"{address} got {len(messages)} mail(s), expected {count}"
        return messages


@pytest.fixture(scope="module", autouse=True)
def inbox():
    """The SMTP server, listening before the `site` fixture starts gunicorn with its port
    (autouse fixtures come first within a scope)."""
    found = Inbox()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    SITE_ENV.update({
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(controller.port),
        "FLASK_MAIL_FROM": "blog@clinic.example",
        "FLASK_SITE_URL": SITE_URL,
        "FLASK_MODERATION_NOTIFY": f'["{DESK}"]',
        "FLASK_SITE_NAME": CLINIC,
    })
    yield found
    controller.stop()


def link_path(text: str, pattern: str) -> str:
    """The path (and fragment) of the one link in a mail's text that matches pattern."""
    [url] = re.findall(rf"{re.escape(SITE_URL)}{pattern}", text)
    parts = urlsplit(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def unsubscribe_path(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"])
    match = re.fullmatch(rf"<{re.escape(SITE_URL)}(/notifications/unsubscribe/[\w-]+)>", header)
    assert match, header
    return match.group(1)


def assert_plain_reader_mail(message: EmailMessage) -> None:
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_path(message)


def count_rows(site, model, **where) -> int:
    with site.app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model).filter_by(**where)).scalar_one()


def test_a_reader_is_told_by_mail_when_the_comment_is_live_and_answered_until_unsubscribing(
        inbox, site, open_context):
    body = "Does the nasal spray work as well as the infusion for chronic migraine?"

    # 1. The reader comments and asks for emails.
    reader, reader_watch = open_context(agent_suffix=" notice-reader")
    reader.goto(site.url(f"/post/{KETAMINE}"))
    reader.fill("#name", "Lena")
    reader.fill("#email", READER)
    reader.fill("#body", body)
    reader.get_by_label("Email me when my comment is published and when someone replies").check()
    reader.click("button:has-text('Send comment')")
    expect(reader.locator(".notice-success").first).to_have_text("Thanks! Your comment is awaiting moderation.")
    expect(reader.locator(".notice-success").nth(1)).to_contain_text("we have emailed it a link")
    comment_id = int(re.search(r"#comment-(\d+)$", reader.url).group(1))

    # 2. One confirmation mail to the reader, the moderators' notice to the desk, nothing "live" yet.
    [confirmation] = inbox.wait_for(READER, 1)
    inbox.wait_for(DESK, 1)
    assert_plain_reader_mail(confirmation)
    assert str(confirmation["Subject"]) == f"Please confirm: emails about your comment on \u201c{TITLE}\u201d"
    text = confirmation.get_content()
    assert TITLE in text and text.startswith("Hello,") and "Lena" not in text  # nothing a commenter typed
    [desk_notice] = inbox.to(DESK)
    assert body in desk_notice.get_content() and desk_notice["List-Unsubscribe"] is None
    time.sleep(0.5)
    assert len(inbox.to(READER)) == 1

    # 3. The link opens a page with a button; opening it (twice) changes nothing; the button confirms.
    confirm_path = link_path(text, r"/notifications/confirm/[\w-]+")
    mail_tab, mail_watch = open_context(bypass_csp=True, agent_suffix=" notice-reader-mail")  # axe is inline
    mail_tab.goto(site.url(confirm_path))
    expect(mail_tab.locator("h1")).to_have_text("Confirm email notices")
    mail_tab.reload()
    button = mail_tab.get_by_role("button", name="Yes, email me")
    expect(button).to_be_visible()
    assert count_rows(site, NotifyAddress) == 0 and count_rows(site, NotifyRequest, email=READER) == 1
    button.focus()
    mail_tab.keyboard.press("Enter")
    expect(mail_tab.locator("h1")).to_have_text("Thank you: email notices are on")
    assert axe_violations(mail_tab) == []
    assert count_rows(site, NotifyAddress, email=READER) == 1
    assert len(inbox.to(READER)) == 1  # the comment is not approved yet: nothing to announce

    # 4. A moderator approves it in the queue: "Your comment is live", linking to the comment.
    staff, staff_watch = open_context(agent_suffix=" notice-staff")
    sign_in(staff, site)
    staff.locator(".queue-item", has_text=body).locator("button.approve").click()
    expect(staff.locator(".notice-success")).to_contain_text("Approved: 1 comment.")
    live = inbox.wait_for(READER, 2)[1]
    assert_plain_reader_mail(live)
    assert str(live["Subject"]) == f"Your comment is live on \u201c{TITLE}\u201d"
    assert link_path(live.get_content(), rf"/post/{KETAMINE}#comment-\d+") == f"/post/{KETAMINE}#comment-{comment_id}"

    # 5. The moderator replies as the clinic: the reader gets the clinic's name and the text, plain.
    reply_text = "Both help many patients; your neurologist can say which suits you best."
    staff.goto(site.url("/moderation/?status=approved"))
    staff.locator(".queue-item", has_text=body).get_by_role("link", name="Edit or reply").click()
    staff.fill("#reply-body", reply_text)
    staff.click("button:has-text('Publish reply')")
    expect(staff.locator(".notice-success")).to_contain_text("Your reply is published")
    reply = inbox.wait_for(READER, 3)[2]
    assert_plain_reader_mail(reply)
    assert str(reply["Subject"]) == f"{CLINIC} replied on \u201c{TITLE}\u201d"
    reply_body = reply.get_content()
    assert f"{CLINIC} replied in the conversation you follow" in reply_body and reply_text in reply_body

    # 6. One-click unsubscribe as a mail provider sends it (RFC 8058): a POST, no browser, no cookie.
    answer = site.server.request("POST", unsubscribe_path(reply), raw=b"List-Unsubscribe=One-Click")
    assert answer.status == 200, answer.body
    assert "You will get no more emails about this conversation" in answer.body

    # 7. The clinic answers again in that conversation: nothing more reaches the reader.
    staff.goto(site.url(f"/moderation/comments/{comment_id}"))
    staff.fill("#reply-body", "One more thought: keep a headache diary before your visit.")
    staff.click("button:has-text('Publish reply')")
    expect(staff.locator(".notice-success")).to_contain_text("Your reply is published")
    time.sleep(3)
    assert len(inbox.to(READER)) == 3
    assert count_rows(site, OutboxMail, recipient=READER, kind=REPLY) == 1  # none written, not just none sent yet
    for watcher in (reader_watch, mail_watch, staff_watch):
        watcher.assert_clean()
