"""an address that said stop is kept quiet for a day, as a keyed hash

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notify_quiet',
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('until', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_notify_quiet')),
    )


def downgrade():
    op.drop_table('notify_quiet')
