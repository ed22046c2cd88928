"""articles may say their own language (front matter lang)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite alters the table in place, so its triggers stay.
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang', sa.String(length=35), nullable=True))


def downgrade():
    # In place (SQLite 3.35+): batch mode would rebuild the table and drop its triggers.
    op.execute("ALTER TABLE article DROP COLUMN lang")
