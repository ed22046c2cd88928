"""Triggers that keep each article's public state with the rows it summarises, on both databases.

`Article.comment_count` (approved comments the page shows: top-level ones and replies under an
approved parent) and `Article.comments_version` (random, new with every change to what the page
shows) are what every worker's page cache is keyed by. They are kept here by the database, in the
transaction of the change, so that a change from any service, a CLI command, a migration or an
operator's own SQL (`UPDATE comment SET status = 'approved' WHERE id = 7`) shows on the next
request of every worker and host. No application code writes either column.

- a comment inserted, updated or deleted while approved (before or after) recounts its article
  and gives it a new version;
- an article whose shown fields change (title, body, image, dates, comments open...) gets a new
  version; its view count, which pages fill in per request, does not.

On PostgreSQL the recount first locks the article row and then counts in a new statement (a new
snapshot under READ COMMITTED), so two transactions approving comments on one article both count
each other's. SQLite has one writer at a time. Migration 0007 creates the same on existing
databases (a frozen copy), and 0009 the article trigger with the review's columns."""
from __future__ import annotations

from sqlalchemy import DDL, event

from blog.core.models import Article, Comment

APPROVED = "'approved'"
# Columns of an article that its page or the index shows (everything but counters and bookkeeping).
SHOWN_ARTICLE_COLUMNS = ("slug", "title", "published", "updated", "author", "image", "image_alt", "summary",
                         "tags", "comments_open", "body_html", "reading_minutes", "source_hash", "reviewed_by",
                         "reviewed")

_PUBLIC_COUNT = (
    "SELECT count(*) FROM comment AS c LEFT OUTER JOIN comment AS p ON c.parent_id = p.id "
    f"WHERE c.article_id = {{article}} AND c.status = {APPROVED} AND (c.parent_id IS NULL OR p.status = {APPROVED})"
)
_SQLITE_NEW_VERSION = "(random() & 2147483647)"
_PG_NEW_VERSION = "floor(random() * 2147483647)::integer"


def _sqlite_refresh(article: str) -> str:
    return (f"UPDATE article SET comment_count = ({_PUBLIC_COUNT.format(article=article)}), "
            f"comments_version = {_SQLITE_NEW_VERSION} WHERE id = {article};")


SQLITE = [
    f"CREATE TRIGGER comment_public_insert AFTER INSERT ON comment WHEN NEW.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('NEW.article_id')} END",
    f"CREATE TRIGGER comment_public_delete AFTER DELETE ON comment WHEN OLD.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('OLD.article_id')} END",
    f"CREATE TRIGGER comment_public_update AFTER UPDATE ON comment "
    f"WHEN OLD.status = {APPROVED} OR NEW.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('OLD.article_id')} {_sqlite_refresh('NEW.article_id')} END",
    f"CREATE TRIGGER article_page_changed AFTER UPDATE OF {', '.join(SHOWN_ARTICLE_COLUMNS)} ON article "
    f"BEGIN UPDATE article SET comments_version = {_SQLITE_NEW_VERSION} WHERE id = NEW.id; END",
]

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION refresh_public_comments(target integer) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM 1 FROM article WHERE id = target FOR UPDATE; "
    f"UPDATE article SET comment_count = ({_PUBLIC_COUNT.format(article='target')}), "
    f"comments_version = {_PG_NEW_VERSION} WHERE id = target; END $$",
    "CREATE OR REPLACE FUNCTION comment_public_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' AND OLD.status = {APPROVED} THEN PERFORM refresh_public_comments(OLD.article_id); END IF; "
    f"IF TG_OP <> 'DELETE' AND NEW.status = {APPROVED} "
    "AND (TG_OP = 'INSERT' OR OLD.status <> NEW.status OR OLD.article_id <> NEW.article_id) "
    "THEN PERFORM refresh_public_comments(NEW.article_id); END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER comment_public_changed AFTER INSERT OR UPDATE OR DELETE ON comment "
    "FOR EACH ROW EXECUTE FUNCTION comment_public_changed()",
    "CREATE OR REPLACE FUNCTION article_page_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.comments_version := {_PG_NEW_VERSION}; RETURN NEW; END $$",
    f"CREATE TRIGGER article_page_changed BEFORE UPDATE OF {', '.join(SHOWN_ARTICLE_COLUMNS)} ON article "
    "FOR EACH ROW EXECUTE FUNCTION article_page_changed()",
]

# A comment-table trigger needs the article table, which create_all makes first (the foreign key).
for _statement in SQLITE:
    _table = Article.__table__ if " ON article " in _statement else Comment.__table__
    event.listen(_table, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL:
    event.listen(Comment.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
