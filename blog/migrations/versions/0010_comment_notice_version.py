"""each comment records the version of the privacy notice it was sent under

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite alters the table in place, so its triggers stay.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_version', sa.String(length=16), nullable=True))


def downgrade():
    # In place (SQLite 3.35+): batch mode would rebuild the table and drop its triggers.
    op.execute("ALTER TABLE comment DROP COLUMN notice_version")
