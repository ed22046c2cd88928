"""A real SMTP server on loopback for tests (aiosmtpd), and the mails it received, parsed."""
from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One mail as its recipient gets it."""

    envelope_to: list[str]
    message: email.message.EmailMessage

    @property
    def to(self) -> str:
        return self.envelope_to[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_content()

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.text)

    def link_path(self, containing: str) -> str:
        """The path of the first link holding `containing` (links name SITE_URL's host, not the test client's)."""
        [url] = [u for u in self.links() if containing in u][:1]
        parts = urlsplit(url)
        return parts.path

    def unsubscribe_path(self) -> str:
        return urlsplit(self.message["List-Unsubscribe"].strip("<>")).path


class Inbox:
    """aiosmtpd handler keeping every mail."""

    def __init__(self, delay: float = 0):
        self.envelopes, self.delay = [], delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's interface)
        if self.delay:  # a slow server: senders overlap for longer
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def mails(self) -> list[Received]:
        return [Received(list(e.rcpt_tos), email.message_from_bytes(e.content, policy=email.policy.default))
                for e in list(self.envelopes)]

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.envelope_to]

    def wait_for(self, count: int, timeout: float = 15.0, address: str | None = None) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address) if address else self.mails
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.to(address) if address else self.mails


class SmtpServer:
    """A started aiosmtpd server; stop() when done (a second stop() does nothing: a test may stop it early)."""

    def __init__(self, port: int | None = None, delay: float = 0):
        self.inbox = Inbox(delay)
        self.port = port or free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
