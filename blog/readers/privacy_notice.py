"""The clinic's privacy notice (/privacy): instance/privacy.md when the clinic wrote one, else a notice
generated from the configuration that says exactly what this site stores, for how long, and who sees
it. Its version (a hash of its text) is stored with every comment sent under it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from blog.core.content import render_markdown

NOTICE_FILE = "privacy.md"  # in the instance folder


@dataclass(frozen=True)
class Notice:
    markdown: str
    html: str
    version: str
    written_by_clinic: bool


def _default_text(config) -> str:
    site = config["SITE_NAME"]
    dedupe = config["VIEW_DEDUPE_MINUTES"]
    days = config.get("COMMENT_EMAIL_RETENTION_DAYS")
    retention = f"{days} days after you wrote it" if days else "when you ask us to"
    review = ("Nothing appears until a member of our staff has read it, except that once one of your comments "
              "has been approved, later ones sent with the same email address may appear at once."
              if config.get("MODERATION_TRUST_RETURNING") else "Nothing appears until a member of our staff has read it.")
    return f"""This is what {site} stores about you, for how long, and who sees it.

## Reading

Reading an article sets no cookie and sends nothing to any other company: no analytics, no
advertising, no fonts or images from elsewhere. To count views without counting a reload twice,
we keep a keyed hash of your network address, browser and the article for {dedupe} minutes. The
key changes every day and the old one is deleted, so the hash cannot be turned back into your
address or followed from one day to the next. We never store your address or your browser.

## Comments

When you send a comment we store the name you give, your email address if you give one, the text,
the article and the time. {review}

- **Everyone** sees the name and the comment once a moderator approves it.
- **Only our moderators** see your email address. We use it only to answer you privately if
  needed; it is never shown on the site.
- Your email address is erased from a comment {retention}.
- A comment that is not published (spam or rejected) can be deleted by our staff at any time.
- You can ask us to show you everything we store under your email address, or to erase your name
  and email address from every comment you wrote.

If you write about your own health in a comment, remember that a published comment is public.
{_notices_text(config)}
## Staff

Moderators sign in with an email address and a password (stored only as a one-way hash). Every
action they take on a comment is recorded in a log that only staff can read.
"""


def _notices_text(config) -> str:
    """The part about email notices, when this site sends mail."""
    if not config.get("MAIL_SERVER"):
        return ""
    return """
## Emails about your comment

If you tick "Email me when my comment is published and when someone replies", we first send one
email to the address you gave, with a link to confirm; nothing else is sent unless you confirm.
An unconfirmed request is deleted after 7 days. Once you confirm, we keep your address and the
date you confirmed, and which conversations you follow, and email you when your comment is
published and when someone replies. Every email has a link that stops them at once; it also
lets you delete your address from our list of notices. Emails waiting to be sent are kept only
until they are sent; a record that an email was sent (without its text) is kept for 30 days.
"""


def _notice_text(app: Flask) -> tuple[str, bool]:
    path = Path(app.instance_path) / NOTICE_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return _default_text(app.config), False
    # A file saved by a word processor may not be UTF-8: shown with a replacement character, never a 500.
    return raw.decode("utf-8", errors="replace"), True


def _version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def notice_version() -> str:
    """The version of the notice in force now, for a comment sent under it (cheap: no rendering)."""
    return _version(_notice_text(current_app._get_current_object())[0])


def privacy_notice() -> Notice:
    """The notice in force now, rendered: the clinic's file if there is one, else the generated default."""
    text, written = _notice_text(current_app._get_current_object())
    return Notice(text, render_markdown(text), _version(text), written)
