"""Database models: articles, their comments, daily view counts and the view-dedupe state."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DDL, ForeignKey, event, func, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import db


def utcnow() -> dt.datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def utc_today() -> dt.date:
    """Today, in UTC: the one "today" of the site (publication, view days, rules, closing comments)."""
    return utcnow().date()


# "Published": its publication date has come (UTC). The one definition, for the ORM
# (Article.is_published(day)) and for plain SQL (PUBLISHED_SQL, with a :today parameter); a test
# checks that both select the same articles.
PUBLISHED_SQL = "published <= :today"


class CommentStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    REJECTED = "rejected"


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    published: Mapped[dt.date] = mapped_column(index=True)
    updated: Mapped[dt.date | None]
    author: Mapped[str | None] = mapped_column(String(200))
    # A medical review (front matter reviewed_by and reviewed): shown under the title and in the JSON-LD.
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed: Mapped[dt.date | None]
    # Front matter `lang` (a BCP 47 tag) when the article is not in the site's language.
    lang: Mapped[str | None] = mapped_column(String(35))
    image: Mapped[str | None] = mapped_column(String(500))
    image_alt: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma-separated
    comments_open: Mapped[bool] = mapped_column(default=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    # Rendered once, at import; the page never renders Markdown.
    body_html: Mapped[str] = mapped_column(Text)
    reading_minutes: Mapped[int] = mapped_column(default=1)
    # SHA-256 of the source file, so re-importing an unchanged file writes nothing.
    source_hash: Mapped[str] = mapped_column(String(64))
    # Where an article imported from another blog came from (the entry's guid or link), so that
    # importing again updates it and never overwrites an article written here (import-feed).
    origin: Mapped[str | None] = mapped_column(String(500), index=True)
    view_count: Mapped[int] = mapped_column(default=0)
    # Approved comments the page shows, and a version that changes with every change to what the page
    # shows: both kept by the database's triggers (blog.core.public_state) in the transaction of the change,
    # so pages need no count query and can cache the rendered page by (article, version) in any worker.
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comments_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    comments: Mapped[list[Comment]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def is_published(cls, day: dt.date):
        """The ORM form of PUBLISHED_SQL."""
        return cls.published <= day

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def shows_update(self) -> bool:
        return self.updated is not None and self.updated != self.published


class Comment(db.Model):
    __table_args__ = (
        # The article page and the queue both filter by article and status, oldest first.
        Index("ix_comment_article_status_created", "article_id", "status", "created_at"),
        Index("ix_comment_status_created", "status", "created_at"),
        # The queue's tabs and their (capped) counts: moderated comments only, oldest first.
        Index("ix_comment_status_clinic_created", "status", "is_clinic", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(80))
    # Never shown publicly; used only by moderators.
    author_email: Mapped[str | None] = mapped_column(String(254))  # indexed as lower(), below
    body_raw: Mapped[str] = mapped_column(Text)
    # Output of blog.core.sanitize.clean_comment(body_raw); the only column rendered unescaped.
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING.value)
    # Reasons the moderation rules raised, comma-separated ("many links", ...).
    flags: Mapped[str] = mapped_column(String(300), default="")
    # A reply written by clinic staff from the queue, shown with a "Clinic" badge.
    is_clinic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the status last changed (set with every change by blog.moderation.actions): spam and rejected
    # comments are purged by it, not by the date they were written.
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow)
    # The privacy notice the comment was sent under (a hash of its text, blog.readers.privacy_notice).
    notice_version: Mapped[str | None] = mapped_column(String(16))
    # An imported comment's id at its source ("<entry>#comment-12"), so importing again adds nothing.
    origin: Mapped[str | None] = mapped_column(String(600), index=True, unique=True)

    article: Mapped[Article] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id])

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]


# Returning commenters and the right to be forgotten look emails up case-insensitively, as typed
# by readers: an index on the plain column cannot serve lower(author_email) = ..., and the scan
# of every approved comment took 58 ms a POST at 100,000 comments.
Index("ix_comment_author_email_lower", func.lower(Comment.author_email), Comment.status)


class OldLink(db.Model):
    """A path an imported article had on the old site (/2023/11/19/some-post/, /?p=123): answered with
    a 301 to the article, so every old link keeps working."""

    __tablename__ = "old_link"
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)


class DailyViews(db.Model):
    """Views of one article on one UTC day, for charts."""

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class VisitorSalt(db.Model):
    """The random key of one day's visitor hashes; deleted once the day is over."""

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class RecentVisit(db.Model):
    """A keyed hash of (address, user agent, article) seen recently, to count reloads once.

    On SQLite, a row inserted or re-counted (counted_at moved on) increments its article's total
    and the day's count by triggers (VIEW_TRIGGERS), in the same statement: the view's write
    lock is then held only inside SQLite, never while Python runs (bench/run)."""

    visitor_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    counted_at: Mapped[dt.datetime] = mapped_column(index=True)
    article_id: Mapped[int | None]  # no foreign key: a row lives 30 minutes and outlives nothing


def _count_view_sql(name: str, event_clause: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event_clause} ON recent_visit WHEN NEW.article_id IS NOT NULL BEGIN "
        "UPDATE article SET view_count = view_count + 1 WHERE id = NEW.article_id; "
        "INSERT INTO daily_views (article_id, day, views) VALUES (NEW.article_id, substr(NEW.counted_at, 1, 10), 1) "
        "ON CONFLICT (article_id, day) DO UPDATE SET views = views + 1; END"
    )


# SQLite only (PostgreSQL counts a view with one statement of data-modifying CTEs instead).
# Migration 0004 creates the same triggers on existing databases.
VIEW_TRIGGERS = [
    _count_view_sql("recent_visit_counts_new_view", "INSERT"),
    _count_view_sql("recent_visit_counts_view_again", "UPDATE OF counted_at"),
]
for _trigger in VIEW_TRIGGERS:
    event.listen(RecentVisit.__table__, "after_create", DDL(_trigger).execute_if(dialect="sqlite"))


class ArticleListVersion(db.Model):
    """One row whose version changes whenever an article is added or deleted or its publication
    date changes (ARTICLE_LIST_TRIGGERS, in the same transaction). The index caches its count of
    published articles by (version, day): a count(*) grows with the table (bench/run, 100x data).
    Random, like comments_version, so a version never names two lists, even after a restore."""

    __tablename__ = "article_list_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


# Migration 0005 creates the same on existing databases.
ARTICLE_LIST_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER article_list_changed_by_{name} AFTER {event_clause} ON article "
        "BEGIN UPDATE article_list_version SET version = random(); END"
        for name, event_clause in (("insert", "INSERT"), ("delete", "DELETE"), ("publish", "UPDATE OF published"))
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION article_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE article_list_version SET version = floor(random() * 2147483647)::integer; RETURN NULL; END $$",
        "CREATE TRIGGER article_list_changed AFTER INSERT OR DELETE OR UPDATE OF published OR TRUNCATE ON article "
        "FOR EACH STATEMENT EXECUTE FUNCTION article_list_changed()",
    ],
}
event.listen(ArticleListVersion.__table__, "after_create",
             DDL("INSERT INTO article_list_version (id, version) VALUES (1, 0)"))
for _dialect, _statements in ARTICLE_LIST_TRIGGERS.items():
    for _statement in _statements:  # the bodies name article_list_version only when they run
        event.listen(Article.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class Moderator(db.Model):
    """A member of clinic staff who moderates comments; admins also manage moderators."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    # Bumped on logout, password change and disabling: every session minted before is void.
    session_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    # flask-login's interface.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return not self.disabled

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        """The session holds id and generation, so bumping the generation revokes it."""
        return f"{self.id}:{self.session_generation}"


class ModerationEvent(db.Model):
    """One line of the audit log: who did what to which comment, when, with the state before and after.

    Append-only from the application: the mapper events below refuse updates and deletes.
    Comment and article ids are plain numbers, so the line outlives a deleted comment."""

    __table_args__ = (Index("ix_moderation_event_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[int | None]
    article_id: Mapped[int | None] = mapped_column(index=True)
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str | None] = mapped_column(String(16))
    previous_body: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")

    moderator: Mapped[Moderator | None] = relationship()


@event.listens_for(ModerationEvent, "before_update")
@event.listens_for(ModerationEvent, "before_delete")
def _audit_log_is_append_only(mapper, connection, target) -> None:
    raise PermissionError("The moderation log is append-only.")


class LoginFailure(db.Model):
    """A failed sign-in, by keyed hash of the account or of the client (never the address itself)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
