"""look commenters' emails up by lower(author_email) with an index, not a scan

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 16:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_author_email'))
    op.create_index('ix_comment_author_email_lower', 'comment', [sa.text('lower(author_email)'), 'status'])


def downgrade():
    op.drop_index('ix_comment_author_email_lower', table_name='comment')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_author_email'), ['author_email'], unique=False)
