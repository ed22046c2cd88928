"""The clinic's privacy notice (/privacy): instance/privacy.md when the clinic wrote one, else a notice
generated from the configuration that says exactly what this site stores, for how long, and who sees
it. Its version (a hash of its text) is stored with every comment sent under it."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _, ngettext

from blog.core.content import render_markdown
from blog.core.i18n import html_lang, number

NOTICE_FILE = "privacy.md"  # in the instance folder


@dataclass(frozen=True)
class Notice:
    markdown: str
    html: str
    version: str
    written_by_clinic: bool


def _item(text: str) -> str:
    """A Markdown list item: its text's own line breaks stay inside the item."""
    return "- " + text.replace("\n", "\n  ")


def _default_text(config) -> str:
    """The generated notice, in the site's language: Markdown, one translated message a paragraph or list item."""
    dedupe = config["VIEW_DEDUPE_MINUTES"]
    days = config.get("COMMENT_EMAIL_RETENTION_DAYS")
    if days:
        retention = ngettext("Your email address is erased from a comment %(count)s day after you wrote it.",
                             "Your email address is erased from a comment %(count)s days after you wrote it.",
                             days, count=number(days))
    else:
        retention = _("Your email address is erased from a comment when you ask us to.")
    if config.get("MODERATION_TRUST_RETURNING"):
        stored = _("When you send a comment we store the name you give, your email address if you give one, the text,\n"
                   "the article and the time. Nothing appears until a member of our staff has read it, except that "
                   "once one of your comments has been approved, later ones sent with the same email address may "
                   "appear at once.")
    else:
        stored = _("When you send a comment we store the name you give, your email address if you give one, the text,\n"
                   "the article and the time. Nothing appears until a member of our staff has read it.")
    paragraphs = [
        _("This is what %(site)s stores about you, for how long, and who sees it.", site=config["SITE_NAME"]),
        "## " + _("Reading"),
        ngettext("Reading an article sets no cookie and sends nothing to any other company: no analytics, no\n"
                 "advertising, no fonts or images from elsewhere. To count views without counting a reload twice,\n"
                 "we keep a keyed hash of your network address, browser and the article for %(count)s minute. The\n"
                 "key changes every day and the old one is deleted, so the hash cannot be turned back into your\n"
                 "address or followed from one day to the next. We never store your address or your browser.",
                 "Reading an article sets no cookie and sends nothing to any other company: no analytics, no\n"
                 "advertising, no fonts or images from elsewhere. To count views without counting a reload twice,\n"
                 "we keep a keyed hash of your network address, browser and the article for %(count)s minutes. The\n"
                 "key changes every day and the old one is deleted, so the hash cannot be turned back into your\n"
                 "address or followed from one day to the next. We never store your address or your browser.",
                 dedupe, count=number(dedupe)),
        "## " + _("Comments"),
        stored,
        "\n".join(_item(text) for text in (
            _("**Everyone** sees the name and the comment once a moderator approves it."),
            _("**Only our moderators** see your email address. We use it only to answer you privately if\n"
              "needed; it is never shown on the site."),
            retention,
            _("A comment that is not published (spam or rejected) can be deleted by our staff at any time."),
            _("You can ask us to show you everything we store under your email address, or to erase your name\n"
              "and email address from every comment you wrote."),
        )),
        _("If you write about your own health in a comment, remember that a published comment is public."),
        *_notices_text(config),
        "## " + _("Staff"),
        _("Moderators sign in with an email address and a password (stored only as a one-way hash). Every\n"
          "action they take on a comment is recorded in a log that only staff can read."),
    ]
    return "\n\n".join(paragraphs) + "\n"


def _notices_text(config) -> list[str]:
    """The paragraphs about email notices, when this site sends mail."""
    if not config.get("MAIL_SERVER"):
        return []
    return [
        "## " + _("Emails about your comment"),
        _('If you tick "%(label)s", we first send one\n'
          "email to the address you gave, with a link to confirm; nothing else is sent unless you confirm.\n"
          "An unconfirmed request is deleted after 7 days. Once you confirm, we keep your address and the\n"
          "date you confirmed, and which conversations you follow, and email you when your comment is\n"
          "published and when someone replies. Every email has a link that stops them at once; it also\n"
          "lets you delete your address from our list of notices. Emails waiting to be sent are kept only\n"
          "until they are sent; a record that an email was sent (without its text) is kept for 30 days.",
          label=_("Email me when my comment is published and when someone replies")),
        _("If you stop every email, we keep for one day only a keyed hash of your address (not the address\n"
          "itself), so that no new confirmation email can be sent to it that day."),
    ]


# What the generated notice says depends on these settings and the site's language, nothing else.
DEFAULT_TEXT_SETTINGS = ("SITE_NAME", "VIEW_DEDUPE_MINUTES", "COMMENT_EMAIL_RETENTION_DAYS",
                         "MODERATION_TRUST_RETURNING", "MAIL_SERVER")
# Only for speed: every comment POST stores the notice's version, and writing the default notice's
# thirty-odd translated sentences anew was about a sixth of a POST (bench/run). Keyed by all it depends on.
_default_texts: dict[tuple, str] = {}


def _generated_text(config) -> str:
    settings = {name: config.get(name) for name in DEFAULT_TEXT_SETTINGS}
    key = (html_lang(), *settings.values())
    text = _default_texts.get(key)
    if text is None:
        if len(_default_texts) > 32:
            _default_texts.clear()
        text = _default_texts[key] = _default_text(settings)
    return text


def _notice_text(app: Flask) -> tuple[str, bool]:
    path = Path(app.instance_path) / NOTICE_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return _generated_text(app.config), False
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
    # The page's <h1> is its title: a notice written with "#" headings has each one level down (h2, h3...).
    top_heading = 2 if re.search(r"^#[ \t]", text, re.MULTILINE) else 1
    return Notice(text, render_markdown(text, top_heading=top_heading), _version(text), written)
