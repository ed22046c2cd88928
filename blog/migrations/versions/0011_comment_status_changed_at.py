"""comments remember when their status last changed (purge goes by it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite alters the table in place, so its triggers stay.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE comment SET status_changed_at = created_at")


def downgrade():
    # In place (SQLite 3.35+): batch mode would rebuild the table and drop its triggers.
    op.execute("ALTER TABLE comment DROP COLUMN status_changed_at")
