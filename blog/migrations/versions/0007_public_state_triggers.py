"""article comment_count and comments_version kept by triggers on both databases

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Frozen copies of blog.public_state as of this revision (a test checks that create_all and this
# migration leave the same triggers).
APPROVED = "'approved'"
SHOWN = ("slug, title, published, updated, author, image, image_alt, summary, tags, comments_open, body_html, "
         "reading_minutes, source_hash")
COUNT = ("SELECT count(*) FROM comment AS c LEFT OUTER JOIN comment AS p ON c.parent_id = p.id "
         f"WHERE c.article_id = {{article}} AND c.status = {APPROVED} AND (c.parent_id IS NULL OR p.status = {APPROVED})")
SQLITE_VERSION = "(random() & 2147483647)"
PG_VERSION = "floor(random() * 2147483647)::integer"


def _sqlite_refresh(article):
    return (f"UPDATE article SET comment_count = ({COUNT.format(article=article)}), "
            f"comments_version = {SQLITE_VERSION} WHERE id = {article};")


SQLITE = [
    f"CREATE TRIGGER comment_public_insert AFTER INSERT ON comment WHEN NEW.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('NEW.article_id')} END",
    f"CREATE TRIGGER comment_public_delete AFTER DELETE ON comment WHEN OLD.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('OLD.article_id')} END",
    f"CREATE TRIGGER comment_public_update AFTER UPDATE ON comment "
    f"WHEN OLD.status = {APPROVED} OR NEW.status = {APPROVED} "
    f"BEGIN {_sqlite_refresh('OLD.article_id')} {_sqlite_refresh('NEW.article_id')} END",
    f"CREATE TRIGGER article_page_changed AFTER UPDATE OF {SHOWN} ON article "
    f"BEGIN UPDATE article SET comments_version = {SQLITE_VERSION} WHERE id = NEW.id; END",
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION refresh_public_comments(target integer) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM 1 FROM article WHERE id = target FOR UPDATE; "
    f"UPDATE article SET comment_count = ({COUNT.format(article='target')}), "
    f"comments_version = {PG_VERSION} WHERE id = target; END $$",
    "CREATE OR REPLACE FUNCTION comment_public_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' AND OLD.status = {APPROVED} THEN PERFORM refresh_public_comments(OLD.article_id); END IF; "
    f"IF TG_OP <> 'DELETE' AND NEW.status = {APPROVED} "
    "AND (TG_OP = 'INSERT' OR OLD.status <> NEW.status OR OLD.article_id <> NEW.article_id) "
    "THEN PERFORM refresh_public_comments(NEW.article_id); END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER comment_public_changed AFTER INSERT OR UPDATE OR DELETE ON comment "
    "FOR EACH ROW EXECUTE FUNCTION comment_public_changed()",
    "CREATE OR REPLACE FUNCTION article_page_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.comments_version := {PG_VERSION}; RETURN NEW; END $$",
    f"CREATE TRIGGER article_page_changed BEFORE UPDATE OF {SHOWN} ON article "
    "FOR EACH ROW EXECUTE FUNCTION article_page_changed()",
]


def upgrade():
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)
    # Counts kept by application code until now: recount every article once under the triggers' rule.
    op.execute(f"UPDATE article SET comment_count = ({COUNT.format(article='article.id')})")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("comment_public_insert", "comment_public_delete", "comment_public_update", "article_page_changed"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS comment_public_changed ON comment")
        op.execute("DROP TRIGGER IF EXISTS article_page_changed ON article")
        for function in ("comment_public_changed()", "article_page_changed()", "refresh_public_comments(integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
