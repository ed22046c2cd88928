"""articles record their medical review (reviewed_by, reviewed); the page-version trigger watches them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Frozen copies of blog.core.public_state's article trigger as of this revision.
SHOWN = ("slug, title, published, updated, author, image, image_alt, summary, tags, comments_open, body_html, "
         "reading_minutes, source_hash, reviewed_by, reviewed")
SHOWN_BEFORE = ("slug, title, published, updated, author, image, image_alt, summary, tags, comments_open, body_html, "
                "reading_minutes, source_hash")


def _article_trigger(columns: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS article_page_changed")
        op.execute(f"CREATE TRIGGER article_page_changed AFTER UPDATE OF {columns} ON article "
                   "BEGIN UPDATE article SET comments_version = (random() & 2147483647) WHERE id = NEW.id; END")
    else:
        op.execute("DROP TRIGGER IF EXISTS article_page_changed ON article")
        op.execute(f"CREATE TRIGGER article_page_changed BEFORE UPDATE OF {columns} ON article "
                   "FOR EACH ROW EXECUTE FUNCTION article_page_changed()")


def upgrade():
    # Plain ADD COLUMNs: SQLite alters the table in place, so its triggers stay.
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reviewed', sa.Date(), nullable=True))
    _article_trigger(SHOWN)


def downgrade():
    _article_trigger(SHOWN_BEFORE)
    # In place (SQLite 3.35+): batch mode would rebuild the table and drop its triggers.
    op.execute("ALTER TABLE article DROP COLUMN reviewed")
    op.execute("ALTER TABLE article DROP COLUMN reviewed_by")
