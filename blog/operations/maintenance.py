"""Operator tasks on the data: backups, export, purging old spam, forgetting a commenter, statistics."""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, func, update

from blog.core.i18n import N_, number
from blog.extensions import db
from blog.core.models import Article, Comment, CommentStatus, Moderator, ModerationEvent, utcnow
from blog.mail.models import OutboxMail
from blog.mail.notifications import address_data, forget_address

FORMER_READER = N_("Former reader")  # stored in the site's language (shown on public pages)


class OperationError(RuntimeError):
    """An operator task that cannot run as asked; the message says why."""


def parse_age(text: str) -> dt.timedelta:
    """'30d', '12h', '2w' -> a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhw])\s*", text or "")
    if not match:
        raise OperationError(f"{text!r} is not an age like 30d, 12h or 2w")
    number, unit = int(match.group(1)), match.group(2)
    return {"d": dt.timedelta(days=number), "h": dt.timedelta(hours=number), "w": dt.timedelta(weeks=number)}[unit]


def backup_sqlite(target: Path) -> Path:
    """A consistent copy of the live SQLite database, through SQLite's online backup API."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise OperationError("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README).")
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise OperationError("the database is in memory; there is nothing on disk to back up.")
    target = target if not target.is_dir() else target / f"blog-{utcnow():%Y%m%d-%H%M%S}.sqlite"
    if target.exists():
        raise OperationError(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    with sqlite3.connect(target) as copy:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OperationError(f"the copy at {target} failed its integrity check.")
    return target


def _row(obj, fields: list[str]) -> dict:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def export_data() -> dict:
    """Articles, comments with their status, moderators (never password hashes) and the audit log."""
    def rows(model, fields):
        return [_row(o, fields) for o in db.session.execute(db.select(model).order_by(model.id)).scalars()]

    return {
        "exported_at": utcnow().isoformat() + "Z",
        "articles": rows(Article, ["id", "slug", "title", "published", "updated", "author", "image", "image_alt",
                                   "summary", "tags", "comments_open", "body_markdown", "view_count"]),
        "comments": rows(Comment, ["id", "article_id", "parent_id", "author_name", "author_email", "body_raw",
                                   "body_html", "status", "flags", "is_clinic", "created_at", "status_changed_at",
                                   "notice_version"]),
        "moderators": rows(Moderator, ["id", "email", "name", "is_admin", "disabled", "created_at"]),
        "moderation_log": rows(ModerationEvent, ["id", "created_at", "moderator_id", "action", "comment_id",
                                                 "article_id", "status_before", "status_after", "previous_body",
                                                 "note"]),
    }


def write_export(target: Path) -> dict[str, int]:
    data = export_data()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return {key: len(value) for key, value in data.items() if isinstance(value, list)}


def erase_old_emails(retention_days: int | None, now: dt.datetime | None = None) -> int:
    """Erase the email address of every comment written more than retention_days ago (the name and
    text stay); one audit line says how many, never which addresses. Returns how many."""
    if not retention_days:
        return 0
    cutoff = (now or utcnow()) - dt.timedelta(days=int(retention_days))
    old = (Comment.created_at < cutoff) & Comment.author_email.is_not(None)
    count = db.session.execute(db.select(func.count()).select_from(Comment).where(old)).scalar_one()
    if count:
        db.session.execute(update(Comment).where(old).values(author_email=None))
        db.session.add(ModerationEvent(action="erase old emails", note=ngettext(
            "erased the email address of %(count)s comment older than %(days)s days",
            "erased the email address of %(count)s comments older than %(days)s days",
            count, count=number(count), days=number(int(retention_days)))))
    db.session.commit()
    return count


def purge(spam_older_than: dt.timedelta | None, rejected_older_than: dt.timedelta | None,
          now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Delete spam and rejected comments whose status was set longer ago than the given ages (not by
    the date they were written: a comment marked spam today is kept for the whole age); returns the
    ids removed per status."""
    now = now or utcnow()
    removed: dict[str, list[int]] = {}
    changed = func.coalesce(Comment.status_changed_at, Comment.created_at)
    for status, age in ((CommentStatus.SPAM.value, spam_older_than), (CommentStatus.REJECTED.value, rejected_older_than)):
        if age is None:
            continue
        condition = (Comment.status == status) & (changed < now - age)
        rows = db.session.execute(db.select(Comment.id, Comment.article_id).where(condition).order_by(Comment.id)).all()
        ids = [row.id for row in rows]
        if ids:
            db.session.execute(delete(Comment).where(Comment.id.in_(ids)))
        removed[status] = ids
    db.session.commit()
    return removed


def commenter_data(email: str) -> dict:
    """Everything stored about an email address (the counterpart of forget_commenter): its comments
    with their article, status, dates and the privacy notice each was sent under."""
    email = (email or "").strip().lower()
    if not email:
        raise OperationError("give the email address to export.")
    rows = db.session.execute(
        db.select(Comment, Article.slug, Article.title).join(Article, Comment.article_id == Article.id)
        .where(func.lower(Comment.author_email) == email).order_by(Comment.created_at, Comment.id)
    ).all()
    comments = [{**_row(c, ["id", "author_name", "author_email", "body_raw", "status", "flags", "created_at",
                           "status_changed_at", "notice_version", "parent_id"]),
                 "article": {"slug": slug, "title": title}} for c, slug, title in rows]
    # What the moderation log keeps of those comments: earlier texts (edits, redactions) and notes.
    log = db.session.execute(
        db.select(ModerationEvent).where(ModerationEvent.comment_id.in_([c["id"] for c in comments]))
        .order_by(ModerationEvent.id)).scalars() if comments else []
    moderation_log = [_row(e, ["comment_id", "created_at", "action", "status_before", "status_after", "note",
                               "previous_body"]) for e in log]
    return {"email": email, "exported_at": utcnow().isoformat() + "Z", "comments": comments,
            "moderation_log": moderation_log, "notifications": address_data(email)}


def _mask_their_log_entries(email: str, comments: list) -> None:
    """The log keeps who did what to their comments, not what it quoted of them: earlier texts
    (edits, redactions) are erased and their name or address in a note becomes "Former reader".
    The one change the log ever takes, made for the commenter's right to be forgotten."""
    ids = [row.id for row in comments]
    names = sorted({name for row in comments if (name := (row.author_name or "").strip())} | {email}, key=len, reverse=True)
    former = _(FORMER_READER)
    entries = db.session.execute(db.select(ModerationEvent.id, ModerationEvent.note, ModerationEvent.previous_body)
                                 .where(ModerationEvent.comment_id.in_(ids))).all()
    # The redaction's note names the commenter as they were ("name was ..."): the whole name goes.
    before_name, _sentinel, after_name = _("personal details removed (name was %(name)s)", name="\x00").partition("\x00")
    for entry in entries:
        note = entry.note or ""
        if after_name and note.startswith(before_name) and note.endswith(after_name):
            note = before_name + former + after_name
        for name in names:  # whole words only, and never a name so short it is part of ordinary words
            if len(name) >= 3:
                note = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", former, note, flags=re.IGNORECASE)
        if note != (entry.note or "") or entry.previous_body is not None:
            # A bulk UPDATE: the ORM's append-only guard (blog.core.models) watches flushed objects only.
            db.session.execute(update(ModerationEvent).where(ModerationEvent.id == entry.id)
                               .values(note=note, previous_body=None).execution_options(synchronize_session=False))


def forget_commenter(email: str) -> int:
    """Erase an email and its name from every comment, and what the log quoted of them; the log
    records how many, never the email."""
    email = (email or "").strip().lower()
    if not email:
        raise OperationError("give the email address to forget.")
    matches = func.lower(Comment.author_email) == email
    count = db.session.execute(db.select(func.count()).select_from(Comment).where(matches)).scalar_one()
    if count:
        _mask_their_log_entries(email, db.session.execute(db.select(Comment.id, Comment.author_name).where(matches)).all())
        their_comments = db.select(Comment.id).where(matches).scalar_subquery()
        # Mail about their comments (moderators' notices quote them; reply notices name them) goes too.
        db.session.execute(delete(OutboxMail).where(OutboxMail.about_comment_id.in_(their_comments)))
        db.session.execute(update(Comment).where(matches).values(author_email=None, author_name=_(FORMER_READER)))
    forget_address(email)
    db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.recipient) == email))
    db.session.add(ModerationEvent(action="forget commenter", note=ngettext(
        "erased name and email from %(count)s comment", "erased name and email from %(count)s comments",
        count, count=number(count))))
    db.session.commit()
    return count


def stats() -> dict:
    articles = db.session.execute(db.select(func.count()).select_from(Article)).scalar_one()
    views = db.session.execute(db.select(func.coalesce(func.sum(Article.view_count), 0))).scalar_one()
    by_status = dict(db.session.execute(db.select(Comment.status, func.count()).group_by(Comment.status)).all())
    return {"articles": articles, "views": int(views),
            "comments": {s.value: by_status.get(s.value, 0) for s in CommentStatus}}
