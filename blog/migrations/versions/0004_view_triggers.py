"""recent visits name their article; on SQLite, triggers count the view in the same statement

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 13:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Frozen copies of blog.models.VIEW_TRIGGERS as of this revision.
_COUNT = (
    "UPDATE article SET view_count = view_count + 1 WHERE id = NEW.article_id; "
    "INSERT INTO daily_views (article_id, day, views) VALUES (NEW.article_id, substr(NEW.counted_at, 1, 10), 1) "
    "ON CONFLICT (article_id, day) DO UPDATE SET views = views + 1; END"
)
TRIGGERS = {
    "recent_visit_counts_new_view": "INSERT",
    "recent_visit_counts_view_again": "UPDATE OF counted_at",
}


def upgrade():
    op.add_column('recent_visit', sa.Column('article_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for name, event_clause in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} AFTER {event_clause} ON recent_visit "
                       f"WHEN NEW.article_id IS NOT NULL BEGIN {_COUNT}")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('recent_visit', schema=None) as batch_op:
        batch_op.drop_column('article_id')
